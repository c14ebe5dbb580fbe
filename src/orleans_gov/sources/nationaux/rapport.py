"""What an extraction did (:class:`Rapport`, printed by the CLI) and how its Parquet outputs are written.

Outputs are written atomically (:func:`orleans_gov.base.fichiers.chemin_temporaire` then
:func:`~orleans_gov.base.fichiers.remplacer_atomique`) with pandas' schema metadata kept, so that a reader gets
back the dtypes of :func:`orleans_gov.sources.dgfip.read_comptes_communes` (text columns as ``string`` with
``pd.NA``). :func:`orleans_gov.base.fichiers.ecrire_parquet` drops that metadata on purpose (it writes the
``data/processed`` tables, rebuilt byte for byte); its files read back with ``str`` (NaN) text columns and
``float64`` for nullable integers, which the extraction's tests reject (same frame as the reader's). These files
are extracts, not ``data/processed`` tables: they keep the pandas writer (same bytes for the same frame).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import pandas as pd

from orleans_gov.base.fichiers import chemin_temporaire, remplacer_atomique


def ecrire_parquet_pandas(df: pd.DataFrame, chemin: Path) -> Path:
    """Atomic Parquet write of ``df`` without its index, pandas metadata (dtypes) kept."""
    tmp = chemin_temporaire(chemin)
    try:
        df.to_parquet(tmp, index=False)
        return remplacer_atomique(tmp, chemin)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@dataclass
class Rapport:
    """What an extraction did: output files, counts, timings and remarks (printed by the CLI)."""

    fichiers: dict[str, Path] = field(default_factory=dict)
    lignes: dict[str, int] = field(default_factory=dict)
    remarques: list[str] = field(default_factory=list)
    encodage: str = ""
    secondes: float = 0.0

    def texte(self) -> str:
        out = [f"{nom} : {self.lignes.get(nom, 0)} lignes -> {chemin}" for nom, chemin in self.fichiers.items()]
        out += [f"remarque : {r}" for r in self.remarques]
        out.append(f"encodage lu : {self.encodage} ; durée : {self.secondes:.1f} s")
        return "\n".join(out)

    def ecrire(self, sortie: Path, sorties: Mapping[str, pd.DataFrame]) -> None:
        """Write every frame to ``sortie/<nom>.parquet`` and record its path and row count."""
        for nom, df in sorties.items():
            self.fichiers[nom] = ecrire_parquet_pandas(df, sortie / f"{nom}.parquet")
            self.lignes[nom] = len(df)

    def terminer(self, t0: float) -> Rapport:
        """Record the duration since ``t0`` (:func:`time.perf_counter`) and return the report."""
        self.secondes = time.perf_counter() - t0
        return self
