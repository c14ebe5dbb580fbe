"""The contract of a processed table, declared once and checked on every table before it is written.

A :class:`Contrat` says, for one table of ``data/processed/``: its columns in order (:class:`Colonne`: name, type
family, not null, allowed values — ``provenance`` among them), optionally a :class:`Bloc` of columns whose names
depend on the files read (the DGFiP columns of each vintage, the OFGL selection), and its key (unique, not null).
:func:`verifier` raises :class:`ErreurTable` naming the table, the column and the first offending row.
docs/TABLES.md documents exactly these contracts (a test compares them).

Why in-house rather than pandera: the build needs five checks (column order with a variable middle block, dtype
family, key uniqueness, not-null, allowed values) with errors in the project's :class:`ErreurDonnees` form; pandera
would bring a heavy dependency tree (typeguard, typing-inspect, multimethod…) for the same five checks, and its
schemas have no notion of « a block of DGFiP columns of whatever vintage between fixed first and last columns ».
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from pandas.api import types as pdt

from orleans_gov.base.erreurs import ErreurDonnees

TEXTE, ENTIER, REEL, BOOLEEN, GEOMETRIE = "texte", "entier", "réel", "booléen", "géométrie"
FAMILLES = (TEXTE, ENTIER, REEL, BOOLEEN, GEOMETRIE)


@dataclass(frozen=True)
class Colonne:
    """One fixed column: name, type family, whether it may hold missing values, its allowed values (``None``: any)."""

    nom: str
    famille: str
    non_nulle: bool = False
    valeurs: tuple | None = None


@dataclass(frozen=True)
class Bloc:
    """Columns between the fixed first and last ones whose names depend on the files read.

    ``noms``: the known names (``None``: any name) and their families; a name outside ``noms`` is refused unless
    ``famille_inconnues`` gives its family (a reader keeps an unknown column of a new vintage as text).
    """

    description: str
    familles: tuple[str, ...]
    noms: frozenset[str] | None = None
    famille_inconnues: str | None = None


@dataclass(frozen=True)
class Contrat:
    """Columns ``debut`` (in order), then ``bloc`` (if any), then ``fin`` (in order); ``cle`` unique and not null."""

    table: str
    debut: tuple[Colonne, ...]
    cle: tuple[str, ...]
    fin: tuple[Colonne, ...] = ()
    bloc: Bloc | None = None

    @property
    def colonnes(self) -> tuple[Colonne, ...]:
        """The fixed columns, first then last ones."""
        return self.debut + self.fin

    @property
    def provenances(self) -> tuple | None:
        """The allowed values of ``provenance`` (``None`` when the table has no such column)."""
        return next((c.valeurs for c in self.colonnes if c.nom == "provenance"), None)


class ErreurTable(ErreurDonnees):
    """A processed table breaks its contract: names the table, the column, the first offending row (1 = first)."""

    def __init__(self, table: str, message: str, *, ligne: int | None = None, colonne: str | None = None,
                 valeur: object = None) -> None:
        super().__init__(message, ligne=ligne, colonne=colonne, valeur=valeur)
        self.table = table
        texte = str(self.args[0])
        self.args = (f"table « {table} », {texte}" if texte != message else f"table « {table} » : {message}",)


def _conforme(serie: pd.Series, famille: str) -> int | None:
    """Position of the first value that breaks the family (``-1``: the dtype itself), ``None`` when it conforms."""
    dtype = serie.dtype
    if famille == TEXTE:
        if isinstance(dtype, pd.StringDtype):
            return None
        if dtype == object:
            mauvais = ~serie.map(lambda v: isinstance(v, str) or v is None or v is pd.NA or v != v).to_numpy(bool)
            return int(mauvais.argmax()) if mauvais.any() else None
        return -1
    ok = {ENTIER: lambda: pdt.is_integer_dtype(dtype) and not pdt.is_bool_dtype(dtype),
          REEL: lambda: pdt.is_float_dtype(dtype),
          BOOLEEN: lambda: pdt.is_bool_dtype(dtype),
          GEOMETRIE: lambda: str(dtype) == "geometry"}[famille]()
    return None if ok else -1


def _ligne(df: pd.DataFrame, contrat: Contrat, i: int) -> str:
    """The key of row ``i``, to name it in a message."""
    return ", ".join(f"{c}={df[c].iloc[i]!r}" for c in contrat.cle if c in df.columns)


def _verifier_ordre(df: pd.DataFrame, contrat: Contrat) -> list[str]:
    """Check the fixed first and last columns; return the names in between (the block)."""
    noms = [str(c) for c in df.columns]
    t = contrat.table
    doubles = sorted({n for n in noms if noms.count(n) > 1})
    if doubles:
        raise ErreurTable(t, "colonne en double", colonne=doubles[0])
    debut, fin = [c.nom for c in contrat.debut], [c.nom for c in contrat.fin]
    attendu = debut + (["…"] if contrat.bloc else []) + fin
    for i, nom in enumerate(debut):
        if i >= len(noms) or noms[i] != nom:
            raise ErreurTable(t, f"colonne n° {i + 1} attendue « {nom} » (ordre : {', '.join(attendu)})",
                              colonne=noms[i] if i < len(noms) else None)
    for j, nom in enumerate(reversed(fin)):
        k = len(noms) - 1 - j
        if k < len(debut) or noms[k] != nom:
            raise ErreurTable(t, f"colonne n° {k + 1} attendue « {nom} » (ordre : {', '.join(attendu)})",
                              colonne=noms[k] if k >= len(debut) else None)
    milieu = noms[len(debut):len(noms) - len(fin)]
    if milieu and contrat.bloc is None:
        raise ErreurTable(t, f"colonne hors contrat (colonnes : {', '.join(attendu)})", colonne=milieu[0])
    return milieu


def _verifier_famille(df: pd.DataFrame, contrat: Contrat, nom: str, familles: Sequence[str]) -> None:
    fautes = [_conforme(df[nom], f) for f in familles]
    if None in fautes:
        return
    i = max(fautes)
    if i < 0:
        raise ErreurTable(contrat.table, f"type {df[nom].dtype} au lieu de : {' ou '.join(familles)}", colonne=nom)
    raise ErreurTable(contrat.table, f"valeur de type {type(df[nom].iloc[i]).__name__} dans une colonne "
                      f"{' ou '.join(familles)} ({_ligne(df, contrat, i)})", ligne=i + 1, colonne=nom,
                      valeur=df[nom].iloc[i])


def verifier(df: pd.DataFrame, contrat: Contrat) -> pd.DataFrame:
    """Check ``df`` against ``contrat`` (order, families, not null, allowed values, unique key); return it unchanged.

    Raises :class:`ErreurTable` at the first breach, naming the table, the column and the first offending row.
    """
    t = contrat.table
    for nom in _verifier_ordre(df, contrat):
        b = contrat.bloc
        if b.noms is None or nom in b.noms:
            _verifier_famille(df, contrat, nom, b.familles)
        elif b.famille_inconnues:
            _verifier_famille(df, contrat, nom, (b.famille_inconnues,))
        else:
            raise ErreurTable(t, f"colonne inconnue dans le bloc « {b.description} »", colonne=nom)
    for col in contrat.colonnes:
        _verifier_famille(df, contrat, col.nom, (col.famille,))
        manquant = df[col.nom].isna().to_numpy(bool)
        if (col.non_nulle or col.nom in contrat.cle) and manquant.any():
            i = int(manquant.argmax())
            raise ErreurTable(t, f"valeur manquante ({_ligne(df, contrat, i)})", ligne=i + 1, colonne=col.nom)
        if col.valeurs is not None:
            hors = ~(df[col.nom].isin(col.valeurs).to_numpy(bool) | manquant)
            if hors.any():
                i = int(hors.argmax())
                admises = ", ".join(map(str, col.valeurs))
                raise ErreurTable(t, f"valeur non admise (admises : {admises} ; {_ligne(df, contrat, i)})",
                                  ligne=i + 1, colonne=col.nom, valeur=df[col.nom].iloc[i])
    doublons = df.duplicated(list(contrat.cle), keep=False).to_numpy(bool)
    if doublons.any():
        i = int(doublons.argmax())
        raise ErreurTable(t, f"clé {', '.join(contrat.cle)} en double ({_ligne(df, contrat, i)})", ligne=i + 1,
                          colonne=contrat.cle[0], valeur=df[contrat.cle[0]].iloc[i])
    return df
