def test_openapi_describes_every_api_route_with_shapes(anon):
    spec = anon.get("/api/openapi.json").json()
    paths = spec["paths"]
    assert "/api/records/{id}/draft/actions/publish" in paths
    create = paths["/api/records"]["post"]
    body_ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schemas = spec["components"]["schemas"]
    assert body_ref.endswith("/DraftBody")
    assert "creators" in schemas["Metadata"]["properties"]
    assert "person_or_org" in schemas["Creator"]["properties"]
    assert set(create["responses"]) >= {"201", "400", "403"}
    read = paths["/api/records/{id}"]["get"]["responses"]["200"]
    assert read["content"]["application/json"]["schema"]["$ref"].endswith("/RecordOut")
    # every $ref resolves
    import json
    import re

    for ref in set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(spec))):
        assert ref in schemas, ref
    assert anon.get("/api/docs").status_code == 200
