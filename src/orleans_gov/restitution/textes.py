"""Small French text helpers shared by the generated sentences and tables: entity names, lists, ordinals, labels of
the vocabulary inside a sentence, headers with a year."""
from __future__ import annotations

import pandas as pd

from orleans_gov.base import vocabulaire
from orleans_gov.base.territoire import SIREN_AGGLO, nom_entite


def nom(entite) -> str:
    """French name of an entity of the perimeter; the identifier itself when it is not one of them."""
    try:
        return nom_entite(str(entite))
    except KeyError:
        return str(entite)


def liste(noms: list[str]) -> str:
    """« a », « a et b », « a, b et c »."""
    if not noms:
        return ""
    if len(noms) == 1:
        return noms[0]
    return ", ".join(noms[:-1]) + " et " + noms[-1]


def ordinal(n: int | None) -> str:
    """French ordinal of a rank: 1 → « 1re », 2 → « 2e »; None → « n.d. »."""
    if n is None:
        return "n.d."
    return "1re" if n == 1 else f"{n}e"


def dans_phrase(nom_terme: str) -> str:
    """The vocabulary label of ``nom_terme`` inside a sentence: first letter in lower case unless the label starts
    with an acronym (« Charges de personnel » → « charges de personnel », « DGF par habitant » stays)."""
    lib = vocabulaire.libelle(nom_terme)
    return lib if len(lib) > 1 and lib[1].isupper() else lib[:1].lower() + lib[1:]


def entete_annee(nom_terme: str, an, prefixe: str = "") -> str:
    """Header of a vocabulary term for one year: « Épargne brute 2013 (k€) »; a label ending with a day without
    year (« Encours de la dette au 31/12 ») takes the year after it (« … au 31/12/2013 (k€) »); ``an`` may also be a
    period or a moment written in words (« 2014–2020 », « en fin d'horizon »)."""
    t = vocabulaire.terme(nom_terme)
    annee = isinstance(an, int) or (isinstance(an, str) and an.isdigit())
    lib = f"{t.libelle}/{an}" if annee and t.libelle.endswith("31/12") else f"{t.libelle} {an}"
    texte = f"{prefixe}{lib}"
    return texte if t.unite in ("texte", "année", "nombre", "") else f"{texte} ({t.unite})"


def par_entite(df: pd.DataFrame, colonne: str = "entite") -> pd.DataFrame:
    """``df`` indexed by the entity's name (index « Entité »): the communes by name, then the agglomeration."""
    d = df.assign(_nom=df[colonne].map(nom), _agglo=(df[colonne].astype(str) == SIREN_AGGLO).astype(int))
    d = d.sort_values(["_agglo", "_nom"]).drop(columns="_agglo").set_index("_nom")
    d.index.name = vocabulaire.libelle("entite")
    return d
