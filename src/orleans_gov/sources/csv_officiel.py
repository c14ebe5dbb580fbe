"""Strict parsing of the official ``;``-separated CSV files (DGFiP, OFGL): encoding detection, numeric
validation without silent coercion, precise errors (file, line, column, value)."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.fichiers import lire_octets
from orleans_gov.sources.colonnes_communes import AvertissementColonnes, signaler_inconnues  # noqa: F401  re-exported

ANNEE_MIN, ANNEE_MAX = 1990, 2100
"""Plausible years of any official file read here (DGFiP accounts start in 2000, census vintages in 2006): a year
outside is a typing error (``9999``, ``20013``), refused."""
POPULATION_MAX = 10_000_000
"""No French commune or groupement approaches ten million inhabitants: a larger population is a typing error
(``1e30`` would overflow the 64-bit integers of the tables)."""

_NOMBRE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_VIRGULE = re.compile(r"^[+-]?\d+,\d+$")
_COLONNE_VIDE = re.compile(r"^(column_\d+|Unnamed: \d+|)$")


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
    texte, encodage = decoder(lire_octets(path), path)
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


def _une_faute(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by exactly one typing error (one character replaced, added or removed,
    or two neighbours swapped)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        ecarts = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
        return len(ecarts) == 1 or (len(ecarts) == 2 and ecarts[1] == ecarts[0] + 1
                                    and a[ecarts[0]] == b[ecarts[1]] and a[ecarts[1]] == b[ecarts[0]])
    court, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == court for i in range(len(long_)))


def refuser_fautes_entete(inconnues: list[str], presentes: Iterable[str], connues: Iterable[str],
                          fichier: str | Path) -> None:
    """Refuse an unknown header field that is one typing error away from a known field the file lacks
    (``popl`` for ``pop1``): kept as an unknown column, it would leave the known one missing for every row, in
    silence. A genuinely new field of a future vintage is further from every known name and is kept."""
    presentes = set(presentes)
    absentes = [c for c in connues if c not in presentes]
    for nom in inconnues:
        proches = [c for c in absentes if _une_faute(nom, c)]
        if proches:
            raise ErreurDonnees(f"colonne inconnue, faute de frappe probable pour « {proches[0]} » (absente de "
                                "l'en-tête) : corriger l'en-tête", fichier=fichier, ligne=1, colonne=nom)


def refuser_premiere(mauvais, message: str, fichier: str | Path, colonne: str, brut: pd.DataFrame) -> None:
    """Raise :class:`ErreurDonnees` on the first True of ``mauvais`` (indexed like ``brut``, by line number): its
    line, the column, the raw value."""
    mauvais = pd.Series(mauvais, index=brut.index).fillna(False).astype(bool)
    if mauvais.any():
        ligne = mauvais.index[mauvais.to_numpy()][0]
        raise ErreurDonnees(message, fichier=fichier, ligne=int(ligne), colonne=colonne, valeur=brut.at[ligne, colonne])


def annees(brut: pd.DataFrame, colonne: str, fichier: str | Path) -> pd.Series:
    """Column ``colonne`` of text cells as int64 years: 4 digits between :data:`ANNEE_MIN` and :data:`ANNEE_MAX`
    (``2012.5``, ``abc``, an empty cell, ``9999`` refused with the line)."""
    texte = brut[colonne].astype(str).str.strip()
    refuser_premiere(~texte.str.fullmatch(r"\d{4}"), "année attendue sur 4 chiffres (ex. 2013)", fichier, colonne,
                     brut)
    an = texte.astype("int64")
    refuser_premiere((an < ANNEE_MIN) | (an > ANNEE_MAX), f"année invraisemblable (attendu entre {ANNEE_MIN} et "
                     f"{ANNEE_MAX})", fichier, colonne, brut)
    return an


def controler(nombres: pd.Series, brut: pd.DataFrame, colonne: str, fichier: str | Path, *, entier: bool = False,
              positif: bool = False, maximum: float | None = None) -> pd.Series:
    """Check a numeric column read by :func:`en_nombres` (missing values pass): whole numbers, not negative, not
    above ``maximum``; the first offending cell is reported with its line and raw value."""
    x = nombres.to_numpy(dtype="float64")
    present = ~np.isnan(x)
    if entier:
        refuser_premiere(present & (np.floor(x) != x), "nombre entier attendu", fichier, colonne, brut)
    if positif:
        refuser_premiere(present & (x < 0), "valeur négative impossible", fichier, colonne, brut)
    if maximum is not None:
        refuser_premiere(present & (np.abs(x) > maximum), f"valeur invraisemblable (au-delà de {maximum:,.0f})"
                         .replace(",", " "), fichier, colonne, brut)
    return nombres
