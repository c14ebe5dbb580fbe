"""Strict parsing of the official ``;``-separated CSV files (DGFiP, OFGL): encoding detection, numeric
validation without silent coercion, precise errors (file, line, column, value)."""
from __future__ import annotations

import csv
import io
import re
import warnings
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from orleans_gov.base.erreurs import ErreurDonnees

_NOMBRE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_VIRGULE = re.compile(r"^[+-]?\d+,\d+$")
_COLONNE_VIDE = re.compile(r"^(column_\d+|Unnamed: \d+|)$")


class AvertissementColonnes(UserWarning):
    """Unknown columns were found and kept (new vintages add fields)."""


def decoder(contenu: bytes, fichier: str | Path) -> tuple[str, str]:
    """Decode bytes as UTF-8 (byte-order mark stripped) or, failing that, CP1252; return (text, encoding).

    Raises :class:`ErreurDonnees` naming the line and byte when neither decodes.
    """
    if not contenu.strip():
        raise ErreurDonnees("le fichier est vide (aucune ligne d'en-tête)", fichier=fichier)
    if contenu[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ErreurDonnees("encodage UTF-16 non pris en charge : enregistrer le fichier en UTF-8", fichier=fichier)
    try:
        return contenu.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return contenu.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        ligne = contenu[: exc.start].count(b"\n") + 1
        octet = contenu[exc.start: exc.start + 1]
        raise ErreurDonnees(
            f"octet {octet!r} (position {exc.start}) illisible ni en UTF-8 ni en CP1252 : encodage inconnu",
            fichier=fichier, ligne=ligne) from None


def lire_table_texte(path: str | Path, *, separateur: str = ";") -> tuple[pd.DataFrame, str]:
    """Read an official CSV file as text cells (no type inference) and return (frame, encoding).

    Lines are numbered as in a text editor (header = 1): ``frame.index`` holds that number.
    A trailing empty column (header ending with the separator, or ``column_NNN`` with no value) is dropped.
    """
    path = Path(path)
    if not path.exists():
        raise ErreurDonnees("fichier introuvable", fichier=path)
    texte, encodage = decoder(path.read_bytes(), path)
    lignes = list(csv.reader(io.StringIO(texte, newline=""), delimiter=separateur))
    while lignes and not any(c.strip() for c in lignes[-1]):
        lignes.pop()
    if not lignes:
        raise ErreurDonnees("le fichier est vide (aucune ligne d'en-tête)", fichier=path)
    entete = [c.strip() for c in lignes[0]]
    if len(entete) == 1 and separateur not in texte.splitlines()[0]:
        autre = "," if "," in entete[0] else ("\t" if "\t" in entete[0] else None)
        detail = f" (le séparateur semble être {autre!r})" if autre else ""
        raise ErreurDonnees(f"séparateur « {separateur} » attendu dans l'en-tête{detail}", fichier=path, ligne=1,
                            valeur=entete[0][:60])
    n = len(entete)
    corps = lignes[1:]
    if not corps:
        raise ErreurDonnees("le fichier ne contient qu'un en-tête, aucune ligne de données", fichier=path)
    propres = []
    for i, ligne in enumerate(corps, start=2):
        if len(ligne) != n:
            if len(ligne) == n + 1 and ligne[-1].strip() == "":
                ligne = ligne[:-1]
            elif len(ligne) < n and not any(c.strip() for c in ligne):
                raise ErreurDonnees("ligne vide au milieu du fichier", fichier=path, ligne=i)
            else:
                raise ErreurDonnees(f"{len(ligne)} champs au lieu des {n} de l'en-tête", fichier=path, ligne=i)
        propres.append([c.strip() for c in ligne])
    doublons = [c for c in set(entete) if entete.count(c) > 1 and c]
    if doublons:
        raise ErreurDonnees("colonne présente deux fois dans l'en-tête", fichier=path, ligne=1, colonne=sorted(doublons)[0])
    df = pd.DataFrame(propres, columns=entete, index=pd.RangeIndex(2, 2 + len(propres), name="ligne"))
    # trailing empty column(s): drop only when entirely empty
    for col in list(df.columns):
        if _COLONNE_VIDE.match(col):
            if (df[col] == "").all():
                df = df.drop(columns=col)
            else:
                raise ErreurDonnees("colonne sans nom contenant des valeurs", fichier=path, colonne=col or "(vide)")
    return df, encodage


def en_nombres(df: pd.DataFrame, colonnes: Iterable[str], fichier: str | Path) -> pd.DataFrame:
    """Convert text columns to float64; empty cells become NaN (missing), anything else non-numeric raises.

    Decimal commas (``12,5``) are refused with an explicit message: official files use the point. ``nan``,
    ``inf`` and the like are refused too (a missing value is an empty cell). Vectorised over the whole block.
    """
    colonnes = list(colonnes)
    if not colonnes:
        return pd.DataFrame(index=df.index)
    brut = df[colonnes].to_numpy(dtype=object)
    plat = pd.Series(brut.ravel(order="F"), dtype=object)
    nombres = pd.to_numeric(plat.where(plat != "", None), errors="coerce").to_numpy(dtype="float64")
    vide = (plat == "").to_numpy()
    mauvais = (np.isnan(nombres) & ~vide) | np.isinf(nombres)
    if mauvais.any():
        # report the first offending cell in reading order (row, then column)
        idx = np.flatnonzero(mauvais)
        n = len(df)
        lignes_pos, cols_pos = idx % n, idx // n
        k = np.lexsort((cols_pos, lignes_pos))[0]
        ligne, col = df.index[lignes_pos[k]], colonnes[cols_pos[k]]
        valeur = brut[lignes_pos[k], cols_pos[k]]
        if _VIRGULE.match(valeur):
            msg = "virgule décimale : le fichier officiel utilise le point (ex. 12.5)"
        else:
            msg = "valeur non numérique dans une colonne numérique"
        raise ErreurDonnees(msg, fichier=fichier, ligne=int(ligne), colonne=col, valeur=valeur)
    return pd.DataFrame(nombres.reshape(len(colonnes), len(df)).T, index=df.index, columns=colonnes)


def signaler_inconnues(colonnes: list[str], fichier: str | Path) -> None:
    """Report unknown columns once (they are kept, not refused)."""
    if colonnes:
        warnings.warn(
            f"fichier « {fichier} » : {len(colonnes)} colonne(s) inconnue(s) conservée(s) telles quelles : "
            + ", ".join(colonnes[:20]) + (" …" if len(colonnes) > 20 else ""),
            AvertissementColonnes, stacklevel=3)
