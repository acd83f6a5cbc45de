"""The admin pages' services of one runtime, made once: publishing, the try-it bots, and the
mailer for invitations and password resets (`SAMTALE_SMTP_URL`; tests put their own)."""

from __future__ import annotations

from typing import Any

from samtale.admin.publishing import Publisher
from samtale.admin.trial import TrialBots
from samtale.live.mail import Mailer, mailer_from_env


class AdminService:
    def __init__(self, runtime: Any, mailer: Mailer | None) -> None:
        self.runtime = runtime
        self.publisher = Publisher(runtime.db, runtime.clock, runtime)
        self.trials = TrialBots(runtime, runtime.clock)
        self.mailer = mailer

    @classmethod
    def of(cls, runtime: Any) -> AdminService:
        service: AdminService | None = runtime.__dict__.get("_admin_service")
        if service is None:
            service = cls(runtime, mailer_from_env())
            runtime.__dict__["_admin_service"] = service
            runtime.on_close(service.publisher.close)
        return service
