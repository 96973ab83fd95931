def test_read_and_search_vocabularies(anon, live_server):
    r = anon.get("/api/vocabularies/licenses/cc-by-4.0")
    assert r.status_code == 200
    item = r.json()
    assert item["id"] == "cc-by-4.0" and item["type"] == "licenses"
    assert item["links"]["self"] == f"{live_server}/api/vocabularies/licenses/cc-by-4.0"
    r = anon.get("/api/vocabularies/languages", params={"q": "english", "size": 5})
    body = r.json()
    assert r.status_code == 200 and body["hits"]["total"] >= 1
    assert body["hits"]["hits"][0]["id"] == "eng"
    r = anon.get("/api/vocabularies/resourcetypes", params={"size": 10, "page": 2})
    assert r.status_code == 200 and "prev" in r.json()["links"]


def test_vocabulary_errors(anon):
    assert anon.get("/api/vocabularies/nope").status_code == 404
    assert anon.get("/api/vocabularies/licenses/nope").status_code == 404
    r = anon.get("/api/vocabularies/licenses", params={"sort": "bad"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "sort"
