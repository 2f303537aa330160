"""Files the sandbox holds: uploads by bots and users, reusable by file_id, downloadable by file_path."""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from typing import Any

from PIL import Image, UnidentifiedImageError

from sandbox.errors import bad_request

THUMBNAIL_SIDE = 90
WRONG_FILE = "wrong file identifier/HTTP URL specified"


@dataclass(frozen=True)
class StoredFile:
    """One file's bytes and the identifiers Telegram gives it."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    mime_type: str
    file_name: str | None = None
    width: int = 0
    height: int = 0

    def file_object(self) -> dict[str, Any]:
        """The ``File`` object getFile answers with."""
        return {"file_id": self.file_id, "file_unique_id": self.file_unique_id,
                "file_size": len(self.data), "file_path": self.file_path}

    def photo_size(self) -> dict[str, Any]:
        return {"file_id": self.file_id, "file_unique_id": self.file_unique_id, "file_size": len(self.data),
                "width": self.width, "height": self.height}

    def document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"file_id": self.file_id, "file_unique_id": self.file_unique_id,
                               "file_size": len(self.data), "mime_type": self.mime_type}
        if self.file_name:
            doc["file_name"] = self.file_name
        return doc


class FileStore:
    """Every stored file by file_id and by file_path, and photos' size lists by any of their file_ids."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._photo_sizes: dict[str, list[dict[str, Any]]] = {}
        self._counter = 0

    def get(self, file_id: str) -> StoredFile:
        stored = self._by_id.get(file_id)
        if stored is None:
            raise bad_request(WRONG_FILE)
        return stored

    def by_path(self, path: str) -> StoredFile | None:
        return self._by_path.get(path)

    def add(self, data: bytes, *, prefix: str, folder: str, mime_type: str, file_name: str | None = None,
            size: tuple[int, int] = (0, 0)) -> StoredFile:
        self._counter += 1
        extension = (file_name or "").rsplit(".", 1)[-1] if file_name and "." in file_name else _extension(mime_type)
        stored = StoredFile(
            file_id=prefix + secrets.token_urlsafe(30), file_unique_id="AQAD" + secrets.token_urlsafe(9),
            file_path=f"{folder}/file_{self._counter}.{extension}", data=data, mime_type=mime_type,
            file_name=file_name, width=size[0], height=size[1])
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def add_photo(self, data: bytes) -> list[dict[str, Any]]:
        """Store an image as Telegram does: a thumbnail and the full size, smallest first."""
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                width, height = image.size
                thumbnail = _thumbnail(image) if max(width, height) > THUMBNAIL_SIDE else None
                mime = Image.MIME.get(image.format or "", "image/jpeg")
        except (UnidentifiedImageError, OSError) as exc:
            raise bad_request("IMAGE_PROCESS_FAILED") from exc
        sizes: list[dict[str, Any]] = []
        if thumbnail is not None:
            thumb_bytes, thumb_size = thumbnail
            sizes.append(self.add(thumb_bytes, prefix="AgAC", folder="photos", mime_type="image/jpeg",
                                  size=thumb_size).photo_size())
        sizes.append(self.add(data, prefix="AgAC", folder="photos", mime_type=mime, size=(width, height)).photo_size())
        for size in sizes:
            self._photo_sizes[size["file_id"]] = sizes
        return sizes

    def photo_sizes(self, file_id: str) -> list[dict[str, Any]]:
        sizes = self._photo_sizes.get(file_id)
        if sizes is None:
            raise bad_request(WRONG_FILE)
        return sizes

    def add_document(self, data: bytes, file_name: str | None, mime_type: str | None) -> StoredFile:
        return self.add(data, prefix="BQAC", folder="documents",
                        mime_type=mime_type or "application/octet-stream", file_name=file_name)


def _thumbnail(image: Image.Image) -> tuple[bytes, tuple[int, int]]:
    small = image.convert("RGB")
    small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    out = io.BytesIO()
    small.save(out, format="JPEG", quality=80)
    return out.getvalue(), small.size


def _extension(mime_type: str) -> str:
    return {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf"}.get(
        mime_type, "bin")
