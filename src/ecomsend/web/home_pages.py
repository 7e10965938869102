"""The JSON API routers behind the Home, Settings › Connections and Activity pages, for
`web.app` to include."""

from __future__ import annotations

from fastapi import APIRouter

from ecomsend.web import api_activity, api_connections, api_home

HOME_SETTINGS_ACTIVITY_ROUTERS: tuple[APIRouter, ...] = (
    api_home.router, api_connections.router, api_activity.router,
)
