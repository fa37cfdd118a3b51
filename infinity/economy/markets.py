"""Every station's market (`market.py`), and their stocks kept in the `market_stock` table.

Stocks change with every trade and drift each second; they are saved every
few seconds and at shutdown, so a crash loses a little drift, never credits.
Only the stations this process holds are loaded and saved: all of them in one
process, those of its zones on a zone host (another host saves the rest).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from infinity.economy.market import Market
from infinity.economy.tables import market_stock
from infinity.galaxy.model import Galaxy


class Markets(Mapping[int, Market]):
    """The market of each station in the galaxy, by station id."""

    def __init__(self, galaxy: Galaxy, engine: AsyncEngine) -> None:
        self.engine = engine
        self._by_station = {
            station.id: Market(station.id)
            for system in galaxy.systems
            for station in system.stations()
        }
        self.held: set[int] = set()  # the stations whose stock this process loads and saves

    def open(self, galaxy: Galaxy) -> None:
        """Markets for the stations of a world made or built after start (an instance),
        held here."""
        self.held.update(self.chart(galaxy))

    def chart(self, galaxy: Galaxy) -> list[int]:
        """Markets for the stations of another world, not held until `load`ed (a zone host
        holds only its zones' stations); their ids."""
        stations = [station.id for system in galaxy.systems for station in system.stations()]
        for station in stations:
            self._by_station.setdefault(station, Market(station))
        return stations

    def __getitem__(self, station: int) -> Market:
        return self._by_station[station]

    def __iter__(self) -> Iterator[int]:
        return iter(self._by_station)

    def __len__(self) -> int:
        return len(self._by_station)

    def drift(self, seconds: float) -> None:
        for market in self._by_station.values():
            market.drift(seconds)

    async def load(self, stations: Collection[int] | None = None) -> None:
        """Hold `stations` (default: every one) and restore their stocks as last saved
        (stations not in this galaxy are ignored)."""
        wanted = set(self._by_station if stations is None else stations) & self._by_station.keys()
        if not wanted:
            return
        for station, market in (await saved(self.engine, wanted)).items():
            self._by_station[station] = market  # afresh: it may have traded elsewhere
        self.held |= wanted

    def release(self, stations: Collection[int]) -> None:
        """Stop saving `stations` (their zone is another host's now)."""
        self.held.difference_update(stations)

    async def save(self) -> None:
        """Write the stock of every held station (and only theirs)."""
        held = sorted(self.held)
        rows = [
            {"station": station, "good": good, "stock": amount}
            for station in held
            for good, amount in self._by_station[station].stock.items()
        ]
        if not rows:
            return
        async with self.engine.begin() as connection:
            await connection.execute(
                sa.delete(market_stock).where(market_stock.c.station.in_(held))
            )
            await connection.execute(sa.insert(market_stock), rows)


async def saved(engine: AsyncEngine, stations: Collection[int]) -> dict[int, Market]:
    """The markets of `stations` as last saved (a station never saved: its opening stock).
    Any process may read them: a cluster's gateway shows them so, at most a save old."""
    markets = {station: Market(station) for station in stations}
    query = sa.select(market_stock).where(market_stock.c.station.in_(sorted(markets)))
    async with engine.connect() as connection:
        for row in await connection.execute(query):
            markets[row.station].stock[row.good] = row.stock
    return markets
