"""The TikTok response envelope and the error codes the sandbox answers with.

Every answer is `{code, message, request_id, data}` (reference §3.1); `code != 0` is an error and
`data` is then `null`. Gateway errors use non-200 HTTP statuses (401 sign/credentials, 429 rate
limit, 400 app_key, 404 path); business and validation errors are HTTP 200 with a nonzero code.
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from starlette.responses import Response

#: Success message used by TikTok's examples ("Success"; token host says "success").
SUCCESS = "Success"

# --- gateway / common errors (reference §3.2, error-codes.json "common_errors") ---
RATE_LIMITED = 36009002
INTERNAL_ERROR = 36009003
GATEWAY_PARAM = 36009004  # overloaded: branch on the message (reference §3.2)
REQUEST_TIMEOUT = 36009007
INVALID_PATH = 36009009
INVALID_METHOD = 36009010
BAD_CONTENT_TYPE = 36009022
INVALID_TOKEN_FOR_SHOP = 101000
ACCESS_DENIED = 105005
EXPIRED_TOKEN = 105002
INVALID_SIGN = 106001
MISSING_CIPHER = 106013
INVALID_AUTH_CODE = 36004004

MSG_RATE_LIMITED = "Too many requests. You've made too many requests in a short period of time."
MSG_INTERNAL = ("Internal error. Please try again. If the issue persists after multiple attempts, "
                "please contact platform support.")
MSG_MISSING_SIGN = ("Missing credentials. The request does not include a required signature in "
                    "the query.")
MSG_BAD_SIGN = "Invalid credentials. The `sign` query parameter is invalid."
MSG_BAD_APP_KEY = "Invalid credentials. Invalid `app_key` query parameter."
MSG_BAD_TOKEN = "Invalid credentials. The `x-tts-access-token` header is invalid."  # noqa: S105
MSG_EXPIRED = ("Expired credentials. The `access_token` or `x-tts-access-token` header has "
               "expired.")
MSG_TS_NEGATIVE = ("Invalid timestamp. The value of the `timestamp` query parameter must not be "
                   "lesser than 0.")
MSG_TS_OLD = ("Invalid timestamp. The value of the `timestamp` query parameter must not be earlier "
              "than 5 minutes before the current time.")
MSG_TS_FUTURE = ("Invalid timestamp. The value of the `timestamp` query parameter must not exceed "
                 "the current time by more than 30 seconds.")
MSG_MISSING_CIPHER = ("Missing identifier. The `shop_cipher` query parameter is required to "
                      "identify the target shop.")
MSG_UNEXPECTED_CIPHER = ("Unexpected identifier. The `shop_cipher` query parameter is not required "
                         "for this request.")
MSG_INVALID_CIPHER = "Invalid identifier. The `shop_cipher` query parameter is invalid."
MSG_INVALID_PATH = "Invalid path. The specified path does not match any available endpoint."
MSG_INVALID_METHOD = "Invalid method. The HTTP method used is not supported by this endpoint."
MSG_TIMEOUT = "Request timeout. The request to the endpoint timed out."

_request_counter = itertools.count(1)


class ApiError(Exception):
    """A TikTok error answer: raise it from a handler, the gateway turns it into the envelope."""

    def __init__(self, code: int, message: str, http_status: int = 200,
                 data: Any = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.http_status = http_status
        self.data = data


def new_request_id() -> str:
    """A request id shaped like TikTok's (timestamp digits + hex), unique per process."""
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
    return f"{stamp}{next(_request_counter):012X}"


def envelope(code: int, message: str, data: Any, request_id: str) -> dict[str, Any]:
    """The `{code, message, request_id, data}` object."""
    return {"code": code, "message": message, "request_id": request_id, "data": data}


def json_bytes(obj: Any) -> bytes:
    """Compact UTF-8 JSON, the way TikTok serializes responses."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def api_response(code: int, message: str, data: Any, request_id: str,
                 http_status: int = 200) -> Response:
    """An HTTP response carrying the envelope."""
    body = json_bytes(envelope(code, message, data, request_id))
    return Response(body, status_code=http_status, media_type="application/json",
                    headers={"x-tt-logid": request_id})


def error_response(err: ApiError, request_id: str) -> Response:
    """The envelope for an ApiError."""
    return api_response(err.code, err.message, err.data, request_id, err.http_status)
