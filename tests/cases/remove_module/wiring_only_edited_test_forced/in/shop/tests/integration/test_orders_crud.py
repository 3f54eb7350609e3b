def test_my_own_case() -> None:
    assert True
