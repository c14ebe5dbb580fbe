"""The reconciliation section of the deliverables (notebook 01, fiches): each published figure, its source and
basis, next to the value our data give for the same entity, year and definition, with the gap; the figures that
disagree by more than 10 % are named. Computation: :mod:`orleans_gov.analyse.rapprochement`."""
from __future__ import annotations

import pandas as pd

from orleans_gov.analyse.rapprochement import SEUIL_PCT, rapprocher, synthese
from orleans_gov.base.catalogue import Catalogue
from orleans_gov.base.territoire import nom_entite
from orleans_gov.construction import charger
from orleans_gov.restitution.formats import fmt_nombre
from orleans_gov.restitution.fragments import markdown
from orleans_gov.restitution.tableaux import tableau_termes
from orleans_gov.sources.chiffres_publies import read_correspondances

SOURCE = ("chiffres publiés (presse, conseils municipaux, présentations budgétaires ; "
          "data/raw/reel/finance/chiffres-publies_agglo-orleans_2001-2013.csv) ; nos données : comptes DGFiP "
          "(réels ou d'exemple), budgets annexes, flux agglomération-communes")
_DECIMALES = {"M€": 1, "€/hab": 0, "%": 1, "années": 1, "postes": 0}


def rapprochement(dossier=None) -> pd.DataFrame:
    """The reconciliation table of every published figure (:func:`orleans_gov.analyse.rapprochement.rapprocher`)."""
    cat = Catalogue.depuis(dossier)
    donnees = {"communes": charger("finances_communes", dossier), "agglo": charger("finances_agglo", dossier),
               "annexes": charger("budgets_annexes", dossier), "flux": charger("flux_agglo_communes", dossier)}
    return rapprocher(charger("chiffres_publies", dossier),
                      read_correspondances(cat.correspondances_publies), donnees)


def _valeur(v: float, unite: str) -> str:
    if pd.isna(v):
        return "n.d."
    d = _DECIMALES.get(unite, 1) + (1 if unite == "M€" and abs(v) < 10 else 0)
    return f"{fmt_nombre(v, d)} {unite}"


def tableau_rapprochement(rapp: pd.DataFrame) -> pd.DataFrame:
    """Display frame (vocabulary names): comparable figures first, then the context ones with their reason."""
    r = rapp.sort_values(["comparable", "entite", "an", "indicateur"], ascending=[False, True, True, True])
    concord = [("oui" if bool(c) else "non") if comp else "contexte : " + str(raison)
               for comp, c, raison in zip(r["comparable"], r["concorde"].fillna(False), r["raison"])]
    return pd.DataFrame({
        "entite": [nom_entite(e) for e in r["entite"]], "annee_chiffre": r["an"].astype(str),
        "indicateur_publie": r["indicateur"].str.replace("_", " "),
        "valeur_publiee": [_valeur(v, u) for v, u in zip(r["valeur_publiee"], r["unite"])],
        "valeur_donnees": [_valeur(v, u) for v, u in zip(r["valeur_donnees"], r["unite"])],
        "ecart_publie": r["ecart_pct"].to_numpy(), "concordance": concord,
        "base_publication": r["base"], "perimetre_budgetaire": r["perimetre"], "source_publication": r["source_titre"],
    }).reset_index(drop=True)


def phrases_rapprochement(rapp: pd.DataFrame) -> str:
    """Counts and the figures that disagree by more than 10 %, named."""
    s = synthese(rapp)
    if not s["chiffres"]:
        return "Aucun chiffre publié pour cette entité."
    texte = (f"**{s['chiffres']} chiffres publiés**, dont **{s['comparables']} comparables** (même entité, même année, "
             f"même définition) ; **{s['concordants']}** sont à ±{fmt_nombre(SEUIL_PCT)} % de nos données. Les "
             f"{s['chiffres'] - s['comparables']} autres sont du contexte (définition ou année sans équivalent ; "
             "raison donnée).")
    discord = rapp[rapp["comparable"] & ~rapp["concorde"].fillna(False).astype(bool)]
    if len(discord):
        noms = "; ".join(f"{nom_entite(e)} {a}, {i.replace('_', ' ')} ({fmt_nombre(x, 1)} %)"
                         for e, a, i, x in zip(discord["entite"], discord["an"], discord["indicateur"],
                                               discord["ecart_pct"]))
        texte += f" **Écart de plus de 10 %** : {noms}."
    else:
        texte += " Aucun chiffre comparable ne s'écarte de plus de 10 %."
    exemple = rapp["provenance_donnees"].eq("exemple").any()
    if exemple:
        texte += (" Nos valeurs de ces années sont des **données d'exemple** calées sur ces chiffres publiés : "
                  "la concordance montre le calage, elle ne vaut pas vérification.")
    return texte


def section_rapprochement(dossier=None, entite: str | None = None, niveau: int = 2) -> list:
    """The objects of the section (heading, Markdown, table), for one entity or the whole perimeter; nothing when
    the entity has no published figure (the fiches of the other communes show no empty section)."""
    rapp = rapprochement(dossier)
    if entite is not None:
        rapp = rapp[rapp["entite"] == entite]
    if rapp.empty:
        return []
    exemple = bool(rapp["provenance_donnees"].eq("exemple").any())
    return [markdown(f"{'#' * niveau} Chiffres publiés et nos données\n\n" + phrases_rapprochement(rapp)),
            tableau_termes(tableau_rapprochement(rapp), titre="Chiffres publiés et nos données",
                           source=SOURCE, exemple=exemple, decimales={"ecart_publie": 1})]
