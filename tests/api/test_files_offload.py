"""Download offload: X-Accel-Redirect for nginx (local) and presigned redirects (S3)."""

from __future__ import annotations

import pytest
import requests

from tests.api.conftest import Api
from tests.api.test_files import files_draft, upload
from tests.api.test_files_s3 import s3_served  # noqa: F401 - the moto-backed server fixture
from tests.conftest import serve

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_nginx_offload_sends_headers_only(tmp_path, db, user):
    served = serve(tmp_path / "nginx", db, files_offload="nginx", files_accel_prefix="/_protected/")
    try:
        api = Api(served.base, user.token)
        rid = files_draft(api)
        upload(api, rid, "a.txt", b"served by nginx")
        api.post(f"/api/records/{rid}/draft/actions/publish")
        r = Api(served.base).get(f"/api/records/{rid}/files/a.txt/content")
        assert r.status_code == 200 and r.content == b""
        accel = r.headers["X-Accel-Redirect"]
        assert accel.startswith("/_protected/") and "//" not in accel
        local = served.app.state.services.files.storages["local"]
        path = local.local_path(accel.removeprefix("/_protected/"))
        assert path is not None and path.read_bytes() == b"served by nginx"
        assert r.headers["X-Content-Type-Options"] == "nosniff"
    finally:
        served.stop()


def test_presigned_redirect_for_s3(tmp_path, db, user, s3_served):  # noqa: F811
    s3 = s3_served.app.state.settings
    served = serve(
        tmp_path / "presign",
        db,
        storage_backend="s3",
        s3_bucket=s3.s3_bucket,
        s3_endpoint_url=s3.s3_endpoint_url,
        s3_access_key="k",
        s3_secret_key="s",
        s3_region="us-east-1",
        files_offload="presigned",
    )
    try:
        api = Api(served.base, user.token)
        rid = files_draft(api)
        upload(api, rid, "p.txt", b"straight from the bucket")
        api.post(f"/api/records/{rid}/draft/actions/publish")
        r = Api(served.base).get(f"/api/records/{rid}/files/p.txt/content")
        assert r.status_code == 302
        direct = requests.get(r.headers["Location"], timeout=10)
        assert direct.status_code == 200 and direct.content == b"straight from the bucket"
        assert "p.txt" in direct.headers.get("Content-Disposition", "")
    finally:
        served.stop()


def test_archive_size_limit_gets_400(tmp_path, db, user):
    served = serve(tmp_path / "archlimit", db, files_archive_max_size=100)
    try:
        api = Api(served.base, user.token)
        rid = files_draft(api)
        upload(api, rid, "big.bin", b"x" * 500)
        r = api.get(f"/api/records/{rid}/draft/files-archive")
        assert r.status_code == 400 and "one by one" in r.json()["message"]
    finally:
        served.stop()
