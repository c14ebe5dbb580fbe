"""The house style of the deliverables, in one import (kept for the callers of the former single module).

The helpers live in :mod:`~orleans_gov.restitution.formats` (French numbers), :mod:`~orleans_gov.restitution.tableaux`
(HTML tables), :mod:`~orleans_gov.restitution.bandeau` (sample banner, source lines),
:mod:`~orleans_gov.restitution.graphiques` (chart style) and :mod:`~orleans_gov.restitution.cartes` (maps); this module
only re-exports them (``from orleans_gov.restitution import presentation as pr`` keeps working).
"""
from __future__ import annotations

from orleans_gov.restitution import __all__ as _tout
from orleans_gov.restitution import *  # noqa: F401,F403 - re-export of the house style

__all__ = list(_tout)
