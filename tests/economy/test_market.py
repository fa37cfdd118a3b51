import pytest

from infinity.economy.market import BASE_PRICE, TARGET_STOCK, Market, Refused


def test_scarcity_raises_prices_and_gluts_lower_them():
    market = Market(1)
    assert market.price("ore") == BASE_PRICE["ore"]
    market.settle("ore", 1500.0, selling=True)  # players flood the station with ore
    glut = market.price("ore")
    assert glut < BASE_PRICE["ore"]
    market.settle("fuel", TARGET_STOCK["fuel"] * 0.9, selling=False)
    assert market.price("fuel") > BASE_PRICE["fuel"]


def test_prices_are_clamped():
    market = Market(1, {"ore": 1e9, "fuel": 0.0, "torpedo": 100.0})
    assert market.price("ore") == pytest.approx(BASE_PRICE["ore"] * 0.4)
    assert market.price("fuel") == pytest.approx(BASE_PRICE["fuel"] * 2.5)


def test_quotes_round_in_the_market_s_favour_and_refuse_nonsense():
    market = Market(1)
    assert market.quote("ore", 10.5, selling=True) == 126
    assert market.quote("fuel", 0.7, selling=False) == 2
    with pytest.raises(Refused):
        market.quote("ore", 0.01, selling=True)
    with pytest.raises(Refused):
        market.quote("torpedo", 1000.0, selling=False)


def test_stock_drifts_back_to_target():
    market = Market(1)
    market.settle("ore", 1000.0, selling=True)
    before = market.stock["ore"]
    market.drift(600.0)
    assert TARGET_STOCK["ore"] < market.stock["ore"] < before
