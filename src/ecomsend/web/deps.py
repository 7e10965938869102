"""FastAPI dependencies (`Annotated` aliases): the process's Settings, Database, JobQueue and
Services, held on `app.state` by the lifespan in `web.app`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ecomsend.config import Settings
from ecomsend.db.session import Database
from ecomsend.jobs.port import JobQueue
from ecomsend.services import Services


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_queue(request: Request) -> JobQueue:
    queue: JobQueue = request.app.state.queue
    return queue


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


DbDep = Annotated[Database, Depends(get_db)]
QueueDep = Annotated[JobQueue, Depends(get_queue)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]
