"""Writing the sample in the official DGFiP layout: ``;`` separator, the file's precision per column, missing as
empty (docs/FORMATS.md §1–2), every file written atomically (:func:`orleans_gov.base.fichiers.ecrire_atomique`)."""
from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from orleans_gov.base.fichiers import ecrire_atomique
from orleans_gov.base.territoire import COMMUNES


def arrondi(x, d: int = 2):
    """Round half to even to ``d`` decimals (numpy), as the amounts of the files are printed."""
    return np.round(np.asarray(x, dtype=float), d)


def _fmt(v, d: int) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if d == 0:
        return str(int(round(v)))
    return f"{v:.{d}f}"


def decimales_communes(col: str) -> int:
    """Communes' file: ``pop1`` and per-inhabitant values ``fX`` in units (euros, as the DGFiP prints them);
    amounts, strata means ``mX`` (precision of the real means, e.g. 635.99), ratios and rates with 2 decimals."""
    if col in ("pop1",):
        return 0
    if col.startswith("f") and col not in ("fin", "fctva", "fdr"):
        return 0
    return 2


def decimales_gfp(col: str) -> int:
    """GFP file: per-inhabitant values and ``mpoid`` in units, amounts and shares with 2 decimals."""
    return 0 if col.endswith("hab") or col.startswith("f") or col == "mpoid" else 2


def ecrire_csv_officiel(path: Path, entete: list[str], lignes: list[dict], vide_final: bool,
                        decimales: Callable[[str], int] = decimales_communes) -> None:
    """Write an official ``;`` file: text as is, numbers with the file's precision, missing as empty;
    ``vide_final``: the 2013–2015 communes' files end every line with an empty field."""
    out = [";".join(entete) + (";" if vide_final else "")]
    for row in lignes:
        cells = []
        for c in entete:
            v = row.get(c)
            if isinstance(v, str):
                cells.append(v)
            else:
                cells.append(_fmt(v, decimales(c)))
        out.append(";".join(cells) + (";" if vide_final else ""))
    ecrire_atomique(path, "\n".join(out) + "\n")


def ecrire_csv_tableau(df: pd.DataFrame, path: Path) -> Path:
    """A tidy sample table (flows, spending by function): ``,`` separator, amounts with 2 decimals, ``\\n``."""
    return ecrire_atomique(path, df.to_csv(index=False, float_format="%.2f", lineterminator="\n"))


def inom(code: str) -> str:
    """The DGFiP's ``inom`` of a commune: upper case, no accents, « ST » for « SAINT », no hyphens."""
    nom = COMMUNES[code][1].upper().replace("-", " ").replace("SAINT ", "ST ")
    return "".join(ch for ch in unicodedata.normalize("NFKD", nom) if not unicodedata.combining(ch))
