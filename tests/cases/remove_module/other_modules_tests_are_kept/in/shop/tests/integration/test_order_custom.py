def test_custom() -> None:
    assert True
