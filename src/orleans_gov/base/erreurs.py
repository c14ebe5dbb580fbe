"""Dedicated error types: every problem with input data names the file, the row, the column and the value."""
from __future__ import annotations

import reprlib
from pathlib import Path

LONGUEUR_MAX_VALEUR = 120
"""A value quoted in a message is cut to this many characters (a hostile cell or an expanded YAML alias must not
make a message of megabytes)."""

_COURT = reprlib.Repr()
_COURT.maxlevel, _COURT.maxlist, _COURT.maxtuple, _COURT.maxdict, _COURT.maxstring, _COURT.maxother = 3, 8, 8, 8, 60, 60


def _simple(valeur: object) -> object:
    """numpy scalars (also inside tuples and lists) as plain Python values: a message never shows ``np.int64(…)``."""
    if isinstance(valeur, (tuple, list)):
        return type(valeur)(_simple(v) for v in valeur)
    if isinstance(valeur, str):
        return str(valeur)   # numpy.str_ too
    if hasattr(valeur, "item") and not isinstance(valeur, (str, bytes)):
        try:
            return valeur.item()
        except (TypeError, ValueError):
            return valeur
    return valeur


def tronquer(texte: str, longueur: int = LONGUEUR_MAX_VALEUR) -> str:
    """``texte`` cut to ``longueur`` characters, with the number of characters left out."""
    if len(texte) <= longueur:
        return texte
    return f"{texte[:longueur]}… ({len(texte) - longueur} caractères de plus)"


def citer(valeur: object, longueur: int = LONGUEUR_MAX_VALEUR) -> str:
    """How a value is quoted in a message: ``repr`` for text, ``str`` otherwise, numpy scalars as plain values,
    cut to ``longueur`` characters (the repr of a huge object is never built whole for containers)."""
    valeur = _simple(valeur)
    if isinstance(valeur, (dict, list, tuple, set, frozenset)):
        texte = _COURT.repr(valeur)   # bounded depth and length: never the whole expanded tree
    elif isinstance(valeur, str):
        if len(valeur) > longueur:
            return f"{valeur[:longueur]!r}… ({len(valeur) - longueur} caractères de plus)"
        texte = repr(valeur)
    else:
        texte = str(valeur)
    return tronquer(texte, longueur)


class ErreurDonnees(ValueError):
    """Invalid input data.

    The message always says which file, and when they are known which row (1-based line number as a
    spreadsheet or text editor shows it, header = line 1), which column and which value is at fault.
    """

    def __init__(self, message: str, *, fichier: str | Path | None = None, ligne: int | None = None,
                 colonne: str | None = None, valeur: object = None, feuille: str | None = None,
                 cellule: str | None = None) -> None:
        self.fichier = str(fichier) if fichier is not None else None
        self.ligne = ligne
        self.colonne = colonne
        self.valeur = _simple(valeur)
        self.feuille = feuille
        self.cellule = cellule
        self.explication = message
        parts = []
        if self.fichier:
            parts.append(f"fichier « {self.fichier} »")
        if feuille and cellule:
            parts.append(f"cellule {feuille}!{cellule}")
        elif feuille:
            parts.append(f"feuille « {feuille} »")
        if ligne is not None:
            parts.append(f"ligne {ligne}")
        if colonne is not None:
            parts.append(f"colonne « {colonne} »")
        if valeur is not None:
            parts.append(f"valeur {citer(valeur)}")
        lieu = ", ".join(parts)
        super().__init__(f"{lieu} : {message}" if lieu else message)


class ErreurScenario(ErreurDonnees):
    """Invalid scenario file (names the file, the key path and the reason)."""
