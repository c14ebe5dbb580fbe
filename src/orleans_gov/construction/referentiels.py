"""Reference tables, all real published data (``provenance = "réel"``): ``police_municipale`` (Ministère de
l'Intérieur survey), ``moyennes_strates`` (DGFiP strata means), ``competences`` (the sourced competence table of the
agglomeration) and ``ofgl_agglo`` (OFGL investment aggregates of the agglomeration)."""
from __future__ import annotations

import pandas as pd

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.base.provenance import REEL
from orleans_gov.base.nomenclatures import NIVEAUX_COMPETENCE
from orleans_gov.base.territoire import CODES_INSEE, COMMUNES, ENTITES, SIREN_AGGLO
from orleans_gov.construction.contrat import ENTIER, REEL as NOMBRE_REEL, TEXTE, Bloc, Colonne, Contrat
from orleans_gov.sources.referentiel import (read_competences, read_moyennes_strates, read_ofgl_investissement,
                                             read_police_enquete_2023, read_police_municipale)

SOURCE_POLICE = "Ministère de l'Intérieur, enquête « Police municipale : effectifs par commune » (décembre)"
NOM_POLICE_TRANSPORTS = "Orléans Métropole (police intercommunale des transports)"
_PROVENANCE = Colonne("provenance", TEXTE, non_nulle=True, valeurs=(REEL,))

CONTRATS = {c.table: c for c in (
    Contrat("police_municipale",
            debut=(Colonne("entite", TEXTE, valeurs=ENTITES), Colonne("nom", TEXTE, non_nulle=True),
                   Colonne("an", ENTIER),
                   Colonne("agents_police", NOMBRE_REEL), Colonne("asvp", NOMBRE_REEL),
                   Colonne("gardes_champetres", NOMBRE_REEL), Colonne("population", NOMBRE_REEL), _PROVENANCE,
                   Colonne("source", TEXTE, non_nulle=True)),
            cle=("entite", "an")),
    Contrat("moyennes_strates",
            debut=(Colonne("an", ENTIER), Colonne("strate", TEXTE), Colonne("regime", TEXTE), Colonne("code", TEXTE),
                   Colonne("valeur", NOMBRE_REEL), Colonne("unite", TEXTE, non_nulle=True, valeurs=("€/hab", "%")),
                   Colonne("precision", TEXTE), Colonne("source", TEXTE, non_nulle=True), _PROVENANCE),
            cle=("an", "strate", "regime", "code")),
    Contrat("competences",
            debut=(Colonne("domaine", TEXTE), Colonne("fonction_m14", TEXTE, non_nulle=True),
                   Colonne("niveau", TEXTE, non_nulle=True, valeurs=tuple(NIVEAUX_COMPETENCE)),
                   Colonne("depuis", TEXTE),
                   Colonne("base_legale", TEXTE, non_nulle=True), Colonne("source_url", TEXTE, non_nulle=True),
                   Colonne("source_titre", TEXTE, non_nulle=True), Colonne("note", TEXTE), _PROVENANCE),
            cle=("domaine",)),
    Contrat("ofgl_agglo", debut=(),
            bloc=Bloc("colonnes OFGL telles que publiées", (TEXTE, ENTIER, NOMBRE_REEL)),
            fin=(Colonne("siren", TEXTE, valeurs=(SIREN_AGGLO,)), Colonne("an", ENTIER), _PROVENANCE),
            cle=("siren", "an")),
)}


def construire_police(cat: Catalogue) -> pd.DataFrame:
    """Police municipale agents, ASVP and gardes champêtres: the six communes of the ministry's series
    (2013–2023, December) and the agglomeration's intercommunal transport police (2023 survey)."""
    s = read_police_municipale(cat.police_serie)
    s = s[s["code_insee"].isin(CODES_INSEE)].copy()
    s["entite"] = s["code_insee"]
    s["nom"] = s["code_insee"].map(lambda c: COMMUNES[c][1])
    e = read_police_enquete_2023(cat.police_enquete_2023)
    transp = e[e["libelle"].str.contains("Police intercommunale des transports", na=False)]
    rows = [s[["entite", "nom", "an", "agents_police", "asvp", "gardes_champetres", "population"]]]
    if len(transp):
        t = transp.iloc[0]
        rows.append(pd.DataFrame([{"entite": SIREN_AGGLO, "nom": NOM_POLICE_TRANSPORTS,
                                   "an": 2023, "agents_police": float(t["agents_police"]), "asvp": float(t["asvp"]),
                                   "gardes_champetres": float(t["gardes_champetres"]),
                                   "population": float(t["habitants"])}]))
    df = pd.concat(rows, ignore_index=True)
    for c in ("agents_police", "asvp", "gardes_champetres", "population"):
        df[c] = df[c].astype("float64")
    df["entite"] = df["entite"].astype("string")
    df["nom"] = df["nom"].astype("string")
    df["provenance"] = pd.Series(REEL, index=df.index, dtype="string")
    df["source"] = pd.Series(SOURCE_POLICE, index=df.index, dtype="string")
    return df.sort_values(["entite", "an"]).reset_index(drop=True)


def construire(cat: Catalogue) -> dict[str, pd.DataFrame]:
    """The four reference tables, as read (strict readers of :mod:`orleans_gov.sources.referentiel`)."""
    return {
        "police_municipale": construire_police(cat),
        "moyennes_strates": read_moyennes_strates(cat.moyennes_strate).assign(provenance=REEL),
        "competences": read_competences(cat.competences).assign(provenance=REEL),
        "ofgl_agglo": read_ofgl_investissement(cat.ofgl_investissement).assign(provenance=REEL),
    }
