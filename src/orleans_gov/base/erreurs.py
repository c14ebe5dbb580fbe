"""Dedicated error types: every problem with input data names the file, the row, the column and the value."""
from __future__ import annotations

from pathlib import Path


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
        self.valeur = valeur
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
            if hasattr(valeur, "item") and not isinstance(valeur, (str, bytes)):
                valeur = valeur.item()  # numpy scalar -> plain Python value in the message
            parts.append(f"valeur {valeur!r}" if isinstance(valeur, str) else f"valeur {valeur}")
        lieu = ", ".join(parts)
        super().__init__(f"{lieu} : {message}" if lieu else message)


class ErreurScenario(ErreurDonnees):
    """Invalid scenario file (names the file, the key path and the reason)."""
