"""File storage for attachments: a folder (the embedded default) or the database.

Both keep a file under (tenant, conversation, attachment, kind), where kind is "file" or
"thumbnail". The choice is the operator's (`SAMTALE_ATTACHMENT_STORAGE=folder|database`):

* **folder** writes under `<data folder>/attachments/<tenant>/<conversation>/`. Each file is
  written to a temporary name and renamed, so a reader never sees half a file. The database
  rows that describe the files are deleted by the conversation's cascade; the folder of a
  deleted conversation is removed right after the deletion commits (`delete_conversations`), and
  the scheduled purge removes any folder whose conversation no longer exists (`orphans`), so a
  crash between the commit and the removal leaves nothing behind for long.
* **database** keeps the bytes in `attachment_blobs`, written in the caller's transaction, so the
  row and its bytes commit together and the cascade deletes both. On PostgreSQL every instance
  sees every file; nothing is kept on an instance's disk.

The interface is the same for both; the attachment service never knows which it has.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Literal, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.model import AttachmentBlob

Kind = Literal["file", "thumbnail"]
STORAGES = ("folder", "database")


class FileStorage(Protocol):
    name: str

    async def put(
        self,
        session: AsyncSession,
        tenant_id: uuid.UUID,
        conversation_id: uuid.UUID,
        attachment_id: uuid.UUID,
        kind: Kind,
        data: bytes,
    ) -> None:
        """Keep `data`; the database storage writes in `session`'s transaction."""

    async def get(
        self,
        session: AsyncSession,
        tenant_id: uuid.UUID,
        conversation_id: uuid.UUID,
        attachment_id: uuid.UUID,
        kind: Kind,
    ) -> bytes | None: ...

    async def delete_conversations(
        self, tenant_id: uuid.UUID, conversation_ids: Iterable[uuid.UUID]
    ) -> None:
        """Remove what is kept for these (already deleted) conversations."""

    async def stored(self) -> list[tuple[uuid.UUID, uuid.UUID]]:
        """(tenant, conversation) of everything kept outside the database."""


class FolderStorage:
    name = "folder"

    def __init__(self, root: Path) -> None:
        self.root = root

    def _dir(self, tenant_id: uuid.UUID, conversation_id: uuid.UUID) -> Path:
        return self.root / str(tenant_id) / str(conversation_id)

    def _path(
        self,
        tenant_id: uuid.UUID,
        conversation_id: uuid.UUID,
        attachment_id: uuid.UUID,
        kind: Kind,
    ) -> Path:
        return self._dir(tenant_id, conversation_id) / f"{attachment_id}.{kind}"

    async def put(
        self,
        session: AsyncSession,
        tenant_id: uuid.UUID,
        conversation_id: uuid.UUID,
        attachment_id: uuid.UUID,
        kind: Kind,
        data: bytes,
    ) -> None:
        path = self._path(tenant_id, conversation_id, attachment_id, kind)
        await asyncio.to_thread(_write, path, data)

    async def get(
        self,
        session: AsyncSession,
        tenant_id: uuid.UUID,
        conversation_id: uuid.UUID,
        attachment_id: uuid.UUID,
        kind: Kind,
    ) -> bytes | None:
        path = self._path(tenant_id, conversation_id, attachment_id, kind)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None

    async def delete_conversations(
        self, tenant_id: uuid.UUID, conversation_ids: Iterable[uuid.UUID]
    ) -> None:
        dirs = [self._dir(tenant_id, c) for c in conversation_ids]
        await asyncio.to_thread(_remove, self.root / str(tenant_id), dirs)

    async def stored(self) -> list[tuple[uuid.UUID, uuid.UUID]]:
        return await asyncio.to_thread(_list, self.root)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _remove(tenant_dir: Path, dirs: list[Path]) -> None:
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)
    # The tenant's folder goes with its last conversation.
    with contextlib.suppress(OSError):
        tenant_dir.rmdir()


def _list(root: Path) -> list[tuple[uuid.UUID, uuid.UUID]]:
    out: list[tuple[uuid.UUID, uuid.UUID]] = []
    if not root.is_dir():
        return out
    for tenant_dir in root.iterdir():
        for conv_dir in tenant_dir.iterdir() if tenant_dir.is_dir() else ():
            try:
                out.append((uuid.UUID(tenant_dir.name), uuid.UUID(conv_dir.name)))
            except ValueError:
                continue
    return out


class DatabaseStorage:
    name = "database"

    async def put(
        self,
        session: AsyncSession,
        tenant_id: uuid.UUID,
        conversation_id: uuid.UUID,
        attachment_id: uuid.UUID,
        kind: Kind,
        data: bytes,
    ) -> None:
        session.add(AttachmentBlob(attachment_id=attachment_id, kind=kind, data=data))
        await session.flush()

    async def get(
        self,
        session: AsyncSession,
        tenant_id: uuid.UUID,
        conversation_id: uuid.UUID,
        attachment_id: uuid.UUID,
        kind: Kind,
    ) -> bytes | None:
        # The caller has checked that the attachment is this tenant's and conversation's.
        return await session.scalar(
            select(AttachmentBlob.data).where(
                AttachmentBlob.attachment_id == attachment_id, AttachmentBlob.kind == kind
            )
        )

    async def delete_conversations(
        self, tenant_id: uuid.UUID, conversation_ids: Iterable[uuid.UUID]
    ) -> None:
        return None  # the cascade deleted the bytes with their rows

    async def stored(self) -> list[tuple[uuid.UUID, uuid.UUID]]:
        return []


def file_storage(kind: str, data_dir: Path) -> FileStorage:
    if kind == "database":
        return DatabaseStorage()
    if kind == "folder":
        return FolderStorage(data_dir / "attachments")
    raise ValueError(f"attachment storage must be one of {', '.join(STORAGES)}")
