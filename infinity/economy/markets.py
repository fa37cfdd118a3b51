"""Every station's market (`market.py`), and their stocks kept in the `market_stock` table.

Stocks change with every trade and drift each second; they are saved every
few seconds and at shutdown, so a crash loses a little drift, never credits.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

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

    def open(self, galaxy: Galaxy) -> None:
        """Markets for the stations of a world made or built after start (an instance)."""
        for system in galaxy.systems:
            for station in system.stations():
                self._by_station.setdefault(station.id, Market(station.id))

    def __getitem__(self, station: int) -> Market:
        return self._by_station[station]

    def __iter__(self) -> Iterator[int]:
        return iter(self._by_station)

    def __len__(self) -> int:
        return len(self._by_station)

    def drift(self, seconds: float) -> None:
        for market in self._by_station.values():
            market.drift(seconds)

    async def load(self) -> None:
        """Restore the stocks last saved (stations not in this galaxy are ignored)."""
        async with self.engine.connect() as connection:
            rows = await connection.execute(sa.select(market_stock))
            for row in rows:
                market = self._by_station.get(row.station)
                if market is not None:
                    market.stock[row.good] = row.stock

    async def save(self) -> None:
        rows = [
            {"station": station, "good": good, "stock": amount}
            for station, market in self._by_station.items()
            for good, amount in market.stock.items()
        ]
        if not rows:
            return
        async with self.engine.begin() as connection:
            await connection.execute(sa.delete(market_stock))
            await connection.execute(sa.insert(market_stock), rows)
