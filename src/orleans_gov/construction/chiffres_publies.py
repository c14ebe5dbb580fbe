"""Table ``chiffres_publies``: the figures published for the perimeter (real, each with its source), and for each
its perimeter and whether its definition is comparable with the project's data (``config/rapprochement``).

Read by the strict reader :func:`orleans_gov.sources.chiffres_publies.read_chiffres_publies`; the mapping by
:func:`~orleans_gov.sources.chiffres_publies.read_correspondances` (every published indicator must be mapped, or
the build stops). The comparison itself (our value, gap) is :mod:`orleans_gov.analyse.rapprochement`.
"""
from __future__ import annotations

import pandas as pd

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.provenance import REEL
from orleans_gov.base.territoire import ENTITES
from orleans_gov.construction.contrat import BOOLEEN, ENTIER, REEL as NOMBRE_REEL, TEXTE, Colonne, Contrat
from orleans_gov.sources.chiffres_publies import PERIMETRES, UNITES, read_chiffres_publies, read_correspondances

CONTRATS = {c.table: c for c in (
    Contrat("chiffres_publies",
            debut=(Colonne("entite", TEXTE, valeurs=ENTITES), Colonne("nom", TEXTE, non_nulle=True),
                   Colonne("an", ENTIER), Colonne("indicateur", TEXTE), Colonne("valeur", NOMBRE_REEL, non_nulle=True),
                   Colonne("unite", TEXTE, non_nulle=True, valeurs=UNITES), Colonne("base", TEXTE),
                   Colonne("perimetre", TEXTE, non_nulle=True, valeurs=PERIMETRES),
                   Colonne("comparable", BOOLEEN, non_nulle=True), Colonne("raison", TEXTE),
                   Colonne("source_url", TEXTE, non_nulle=True), Colonne("source_titre", TEXTE, non_nulle=True),
                   Colonne("note", TEXTE), Colonne("ligne", ENTIER, non_nulle=True),
                   Colonne("provenance", TEXTE, non_nulle=True, valeurs=(REEL,))),
            cle=("entite", "an", "indicateur", "base")),
)}


def construire_chiffres_publies(cat: Catalogue) -> pd.DataFrame:
    """The published figures with their mapping (perimeter, comparable definition, reason when not)."""
    df = read_chiffres_publies(cat.chiffres_publies)
    carte = {(e["indicateur"], ent): e for e in read_correspondances(cat.correspondances_publies)
             for ent in e["entites"]}
    manquants = [(r.indicateur, r.entite, r.ligne) for r in df.itertuples() if (r.indicateur, r.entite) not in carte]
    if manquants:
        ind, ent, ligne = manquants[0]
        raise ErreurDonnees(f"indicateur sans correspondance pour l'entité {ent} (à décrire dans "
                            f"{cat.correspondances_publies})", fichier=cat.chiffres_publies, ligne=ligne,
                            colonne="indicator", valeur=ind)
    e = [carte[(r.indicateur, r.entite)] for r in df.itertuples()]
    df.insert(7, "perimetre", pd.array([x["perimetre"] for x in e], dtype="string"))
    df.insert(8, "comparable", pd.array([bool(x["comparable"]) for x in e], dtype="boolean"))
    df.insert(9, "raison", pd.array([x.get("raison") or "" for x in e], dtype="string"))
    df["provenance"] = pd.Series(REEL, index=df.index, dtype="string")
    df = df[[c.nom for c in CONTRATS["chiffres_publies"].debut]]
    return df.sort_values(["entite", "an", "indicateur", "base"]).reset_index(drop=True)


def construire(cat: Catalogue) -> dict[str, pd.DataFrame]:
    """The one table of this module."""
    return {"chiffres_publies": construire_chiffres_publies(cat)}
