"""File limits from settings, raised per record or per user by an admin."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FileLimits:
    max_files: int = 100
    max_file_size: int = 10 * 1024**3
    quota: int = 10 * 1024**3
    user_quota: int = 0  # 0: no limit
    archive_max_size: int = 0  # 0: no limit
    tus_expiry_hours: int = 72
    gc_grace_hours: int = 24


MAX_FILES_MESSAGE = "Uploading selected files will result in exceeding the max amount per record."
QUOTA_MESSAGE = "Uploading selected files will result in exceeding the quota of this record."
USER_QUOTA_MESSAGE = "Uploading selected files will exceed your storage quota."
FILE_SIZE_MESSAGE = "The file is larger than the maximum file size allowed."
