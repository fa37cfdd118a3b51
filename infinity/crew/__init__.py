"""The digital crew: people grown from DNA who remember, need, plan, talk, obey (mostly) and die.

The domain (genome, memory, needs, goals, planner, mind, crew, dialogue, bridge)
does no I/O; `llm.py` talks to a language model. The running service is
`company.py` (founding in `founding.py`, chat routing in `hailing.py`, player
and operator dealings in `muster.py`), with its REST handlers in `api.py` and
the `infinity crew` commands in `cli.py`. Agents act only through
`infinity.commands.types`, the same commands players send.
"""
