"""Byte storage behind a small protocol (:class:`StorageBackend`): ``local`` disk and ``s3``.

An infrastructure leaf: it imports the standard library, boto3/botocore (only in ``s3``, which
is imported on demand) and nothing else from Cairn. Everything is synchronous.
"""

from cairn.storage.base import (
    BlobNotFound,
    BlobTooLarge,
    BlobWriter,
    ChecksumMismatch,
    StorageBackend,
    StorageError,
    StoredBlob,
    content_disposition,
)
from cairn.storage.factory import StorageConfig, build_storage
from cairn.storage.local import LocalStorage

__all__ = [
    "BlobNotFound",
    "BlobTooLarge",
    "BlobWriter",
    "ChecksumMismatch",
    "LocalStorage",
    "StorageBackend",
    "StorageConfig",
    "StorageError",
    "StoredBlob",
    "build_storage",
    "content_disposition",
]
