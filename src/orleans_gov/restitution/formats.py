"""French number formatting of the deliverables (DESIGN.md §4), and the format of each vocabulary unit.

* thousands separator = narrow no-break space (U+202F), decimal separator = comma: ``1 234,5``;
* a no-break space (U+00A0) before a unit: ``12,3 %``, ``1 234 k€``, ``12,3 M€``, ``1 531 €/hab.``;
* a missing value (``None``, ``NaN``, ``pd.NA``, ``NaT``, infinite) is written ``n.d.`` (non disponible),
  never ``0``;
* rounding is "half up" on the decimal value as printed (``1 234,5`` → ``1 235``), as a reader checks by hand.

Units of input: amounts are in **k€** (the DGFiP convention, docs/TABLES.md) for :func:`fmt_keur` and
:func:`fmt_meur`; :func:`fmt_pct` takes a **fraction** (0.123 → « 12,3 % ») unless ``fraction=False``
(values already in percent, like the DGFiP ``r*`` columns and every vocabulary term whose unit is ``%``);
:func:`fmt_indice` takes a **ratio** (1.12 = 12 % above the reference) and prints it base 100 (« 112 »).
:func:`format_unite` gives the table format of a vocabulary unit (:mod:`orleans_gov.base.vocabulaire`).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd

ND = "n.d."
ESP_MILLIERS = "\u202f"  # espace fine insécable : séparateur des milliers
ESP_INSECABLE = "\u00a0"  # espace insécable : avant une unité (%, k€, M€, €/hab.)

# ------------------------------------------------------------------------------------------------
# Numbers
# ------------------------------------------------------------------------------------------------
def _en_decimal(x: Any) -> Decimal | None:
    """``Decimal`` of a numeric scalar, ``None`` when missing (None, NaN, NA, NaT, ±inf).

    Floats go through ``repr`` so that the value rounded is the one a reader sees (2.675 → 2,68).
    A non-numeric value raises ``TypeError`` (nothing is silently coerced).
    """
    if x is None or x is pd.NA or x is pd.NaT:
        return None
    if isinstance(x, (bool, np.bool_)):
        raise TypeError(f"valeur booléenne là où un nombre est attendu : {x!r}")
    if isinstance(x, (int, np.integer)):
        return Decimal(int(x))
    if isinstance(x, (float, np.floating)):
        f = float(x)
        if math.isnan(f) or math.isinf(f):
            return None
        return Decimal(repr(f))
    if isinstance(x, Decimal):
        return None if (x.is_nan() or x.is_infinite()) else x
    raise TypeError(f"valeur non numérique : {x!r} (type {type(x).__name__})")


def _verifier_decimales(decimales: int) -> int:
    if isinstance(decimales, bool) or not isinstance(decimales, (int, np.integer)) or decimales < 0:
        raise ValueError(f"nombre de décimales invalide : {decimales!r} (entier ≥ 0 attendu)")
    return int(decimales)


def _texte_decimal(d: Decimal, decimales: int, milliers: bool = True) -> str:
    quantum = Decimal(1).scaleb(-decimales)
    try:
        q = d.quantize(quantum, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # pragma: no cover - numbers far beyond public-finance magnitudes
        raise ValueError(f"nombre impossible à arrondir à {decimales} décimales : {d}") from exc
    if q == 0:
        q = abs(q)  # no "-0"
    texte = format(q, f"{',' if milliers else ''}.{decimales}f")
    return texte.replace(",", ESP_MILLIERS).replace(".", ",")


def fmt_nombre(x: Any, decimales: int = 0) -> str:
    """French number: ``fmt_nombre(1234.5, 1) == "1 234,5"`` (U+202F thousands separator, decimal comma).

    Missing (None, NaN, NA, infinite) → ``"n.d."``. Rounding half up on the printed decimal value.
    """
    decimales = _verifier_decimales(decimales)
    d = _en_decimal(x)
    return ND if d is None else _texte_decimal(d, decimales)


def fmt_pct(x: Any, decimales: int = 1, *, fraction: bool = True) -> str:
    """Percentage: ``fmt_pct(0.123) == "12,3 %"``.

    ``x`` is a **fraction** (0.123 = 12,3 %) by default; pass ``fraction=False`` for values already in percent
    (DGFiP ``r*``/``rm*`` columns: ``fmt_pct(12.3, fraction=False) == "12,3 %"``). No-break space before ``%``.
    """
    decimales = _verifier_decimales(decimales)
    d = _en_decimal(x)
    if d is None:
        return ND
    if fraction:
        d = d * 100
    return f"{_texte_decimal(d, decimales)}{ESP_INSECABLE}%"


def fmt_keur(x: Any, decimales: int = 0) -> str:
    """Amount given **in k€**, printed in k€: ``fmt_keur(1234) == "1 234 k€"``."""
    decimales = _verifier_decimales(decimales)
    d = _en_decimal(x)
    return ND if d is None else f"{_texte_decimal(d, decimales)}{ESP_INSECABLE}k€"


def fmt_meur(x: Any, decimales: int = 1) -> str:
    """Amount given **in k€** (DGFiP convention), printed in M€: ``fmt_meur(12345) == "12,3 M€"``.

    The input is divided by 1 000; pass k€, not euros.
    """
    decimales = _verifier_decimales(decimales)
    d = _en_decimal(x)
    return ND if d is None else f"{_texte_decimal(d / 1000, decimales)}{ESP_INSECABLE}M€"


def fmt_eur_hab(x: Any, decimales: int = 0) -> str:
    """Amount **in euros per inhabitant**: ``fmt_eur_hab(1531.2) == "1 531 €/hab."``."""
    decimales = _verifier_decimales(decimales)
    d = _en_decimal(x)
    return ND if d is None else f"{_texte_decimal(d, decimales)}{ESP_INSECABLE}€/hab."


def fmt_indice(x: Any, decimales: int = 0) -> str:
    """Index base 100 from a **ratio** (value / reference): ``fmt_indice(1.124) == "112"``.

    Used for "commune / moyenne de la strate" (DESIGN.md §3.1): 100 = the strata mean.
    """
    decimales = _verifier_decimales(decimales)
    d = _en_decimal(x)
    return ND if d is None else _texte_decimal(d * 100, decimales)


def fmt_annee(x: Any) -> str:
    """A year without thousands separator (``2014``); missing → ``"n.d."``."""
    d = _en_decimal(x)
    if d is None:
        return ND
    if d != d.to_integral_value():
        raise ValueError(f"année non entière : {x!r}")
    return str(int(d))


_FORMATS_NOMMES: dict[str, Callable[..., str]] = {
    "nombre": fmt_nombre,
    "pct": fmt_pct,
    "pourcent": lambda x, decimales=1: fmt_pct(x, decimales, fraction=False),
    "keur": fmt_keur,
    "meur": fmt_meur,
    "eur_hab": fmt_eur_hab,
    "indice": fmt_indice,
    "annee": lambda x: fmt_annee(x),
}
_NOMS_ANNEE = {"an", "annee", "année", "exercice", "annees", "années", "millesime", "millésime"}



FORMATS_UNITES: dict[str, Any] = {
    "k€": "keur", "M€": "meur", "€": "nombre", "€/hab": "eur_hab", "%": "pourcent", "années": ("nombre", 1),
    "habitants": "nombre", "ETP": ("nombre", 1), "agents": "nombre", "sièges": "nombre", "indice": "nombre",
    "coefficient": ("nombre", 3), "nombre": "nombre", "agents pour 1 000 hab": ("nombre", 2),
    "ETP pour 1 000 hab": ("nombre", 1), "k€ par ETP": "nombre", "€ par ETP": "nombre", "année": "annee",
    "1 ou 0": "nombre", "points": ("nombre", 1),
}
"""Default table format of each vocabulary unit (:data:`orleans_gov.base.vocabulaire.UNITES`): a term whose unit is
``%`` holds a value **in percent** (12.3 = 12,3 %), never a fraction. ``texte`` has no format (shown as is)."""


def format_unite(unite: str, decimales: int | None = None) -> Any:
    """The :func:`~orleans_gov.restitution.tableaux.tableau` format of a vocabulary unit, with ``decimales`` when
    given (``format_unite("%")`` → ``"pourcent"``; ``format_unite("k€", 1)`` → ``("keur", 1)``); ``None`` for
    text. An unknown unit raises ``KeyError`` (every unit of the vocabulary has a format here)."""
    if unite == "texte":
        return None
    spec = FORMATS_UNITES[unite]
    if decimales is None:
        return spec
    return (spec[0] if isinstance(spec, tuple) else spec, decimales)


def fmt_unite(x: Any, unite: str, decimales: int | None = None) -> str:
    """A value written in its vocabulary unit: ``fmt_unite(12.34, "%")`` → « 12,3 % »; ``fmt_unite(3.2,
    "années")`` → « 3,2 ans »; ``fmt_unite(37435, "€ par ETP")`` → « 37 435 € »; counts without unit symbol; text is
    returned as is."""
    if unite == "texte":
        return ND if x is None or (not isinstance(x, str) and pd.isna(x)) else str(x)
    if unite in ("années", "€", "€ par ETP"):
        texte = fmt_nombre(x, (1 if unite == "années" else 0) if decimales is None else decimales)
        return texte if texte == ND else f"{texte}{ESP_INSECABLE}{'ans' if unite == 'années' else '€'}"
    spec = format_unite(unite, decimales)
    nom, dec = spec if isinstance(spec, tuple) else (spec, None)
    f = _FORMATS_NOMMES[nom]
    return f(x) if dec is None or nom == "annee" else f(x, dec)
