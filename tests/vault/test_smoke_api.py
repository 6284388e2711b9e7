import io

from vault import selectors, services


def test_file_round_trip_through_real_clamd(clamd, company, actor, vault_storage):
    data = b"hello " * 100_000
    stored = services.file_store(company=company, object_id="f1", upload=io.BytesIO(data), actor=actor)
    assert stored.size == len(data)
    out = b"".join(selectors.file_open(company=company, object_id="f1", stored=stored))
    assert out == data
