"""Council composition (art. L.5211-6-1 CGCT) as a scenario action, and the data the governance actions share
(municipal populations, the data folder)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.parametres import date_effet
from orleans_gov.base.territoire import CODES_INSEE, nom_entite
from orleans_gov.construction import charger
from orleans_gov.scenarios.actions.commun import Contexte, Effets
from orleans_gov.scenarios.actions.indicateurs import poser
from orleans_gov.scenarios.donnees import DonneesReference
from orleans_gov.scenarios.etat import E, IA
from orleans_gov.scenarios.gouvernance import (majorite_qualifiee, poids_conseil, sieges_droit_commun,
                                               verifier_accord_local)
from orleans_gov.scenarios.schema import CompositionConseil


def dossier_donnees(donnees: DonneesReference) -> Path | None:
    """The data folder the engine's tables were loaded from (``<dossier>/processed/<table>.parquet``)."""
    chemin = donnees.sources.get("finances_communes")
    return Path(chemin).parents[1] if chemin else None


def populations_municipales(donnees: DonneesReference, annee: int) -> pd.Series:
    """Population municipale of each commune for ``annee`` (processed table ``populations``, INSEE census,
    interpolated or extrapolated as its ``statut`` says), indexed by code INSEE in the perimeter's order."""
    cle = ("populations", annee)
    if cle not in donnees._cache:
        dossier = dossier_donnees(donnees)
        t = charger("populations", dossier)
        s = t[t["an"] == annee].set_index("code_insee")["population"].reindex(list(CODES_INSEE))
        if s.isna().any():
            raise ErreurDonnees(f"population municipale manquante en {annee} pour {list(s.index[s.isna()])}",
                                fichier=str(dossier / "processed" / "populations.parquet") if dossier else
                                "populations", colonne="population")
        donnees._cache[cle] = s.astype("int64")
    return donnees._cache[cle]


def repartition_sieges(pops: pd.Series, date, categorie: str, supplementaires: bool = False,
                       accord: dict[str, float] | None = None) -> tuple[pd.Series, pd.DataFrame, str]:
    """Seats per commune at ``date``: the droit commun (L5211-6-1 III–V, optional VI) or the accord local
    (I 2°) when it is valid under the rules in force (:func:`verifier_accord_local`; an invalid accord is refused
    with the rules it breaks). Returns the seats, the weights table and a note on the rule applied."""
    if accord:
        rep = pd.Series({c: int(round(accord[c])) for c in pops.index}, name="sieges")
        v = verifier_accord_local(pops, rep, date, categorie)
        if not v.valide:
            motifs = "; ".join(f"{r.regle} ({r.article}) {r.commune}" for r in v.violations.itertuples())
            raise ErreurDonnees(f"accord local invalide au {date_effet(date).isoformat()} : {motifs}",
                                colonne="accord_local")
        note = f"accord local (art. L.5211-6-1 I 2°), vérifié au {date_effet(date).isoformat()}"
    else:
        r = sieges_droit_commun(pops, date, categorie, supplementaires)
        rep = r.sieges
        note = (f"droit commun (art. L.5211-6-1 III à V{', VI' if supplementaires else ''}) au "
                f"{date_effet(date).isoformat()}")
    return rep.astype("int64"), poids_conseil(rep, pops), note


REGLES_OPTIONS = ("deux_tiers_conseil", "changement_categorie", "transfert_competence", "accord_local")
"""The majorities the other options need (:data:`orleans_gov.scenarios.gouvernance.REGLES`): two thirds of the
council (DSC, intérêt communautaire, free AC revision from 2015), concordant municipal votes (change of category,
transfer of a competence, accord local)."""


def majorites_sans_la_ville_centre(sieges: pd.Series, pops: pd.Series, date) -> pd.DataFrame:
    """With this composition, does each decision of :data:`REGLES_OPTIONS` carry when every commune but the most
    populous votes for it and the most populous votes against (:func:`majorite_qualifiee`: its seats for the
    council's majorities, its council and population for the concordant municipal votes)?"""
    plus = pops.idxmax()
    votes = {c: c != plus for c in pops.index}
    lignes = []
    for regle in REGLES_OPTIONS:
        r = majorite_qualifiee(votes, pops, date, regle, sieges=sieges)
        lignes.append({"regle": regle, "reference": r.reference, "adoptee_sans_ville_centre": r.adoptee,
                       "ville_centre": plus, "sieges_ville_centre": int(sieges[plus]),
                       "sieges_total": int(sieges.sum())})
    return pd.DataFrame(lignes)


def appliquer_composition_conseil(eff: Effets, action: CompositionConseil, k: int, ctx: Contexte) -> None:
    """Composition du conseil communautaire (art. L.5211-6-1 CGCT): seats per commune from the date (indicator
    ``sieges``), with each commune's weight in the council against its population share (detail table)."""
    annee_pop = action.annee_populations or action.annee - 3
    pops = populations_municipales(ctx.donnees, annee_pop)
    date = action.date_regles or action.date
    rep, poids, note = repartition_sieges(pops, date, action.categorie, action.sieges_supplementaires_10pct,
                                          action.accord_local)
    v = np.full(E, np.nan)
    v[:IA] = rep.reindex(list(CODES_INSEE)).to_numpy()
    poser(eff, "sieges", v, ctx.annees >= action.annee)
    d = poids.reindex(list(CODES_INSEE)).rename_axis("entite").reset_index()
    d.insert(1, "commune", [nom_entite(c) for c in d["entite"]])
    eff.details[f"actions[{k}] composition du conseil"] = d.assign(action=k, annee=action.annee,
                                                                   annee_populations=annee_pop, regle=note)
    eff.details[f"actions[{k}] majorités avec la composition"] = majorites_sans_la_ville_centre(
        rep, pops, date).assign(action=k, annee=action.annee)
