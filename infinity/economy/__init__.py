"""The economy in the universe: markets, wallets, trade, theft, loot and bounties.

Goods move in zones (through commands); credits move only in the ledger.
"""
