"""« En bref » of document 03 (issue 14): messages computed from the comparison table of the scenarios it displays.

Apart from :mod:`orleans_gov.restitution.en_bref` (documents 01, 02 and the fiches) so that those documents do not
import the scenario engine (≈ 0,6 s of pydantic models at import, issue 16); the building blocks (:class:`Message`,
:func:`en_bref`, :func:`texte_reel`) are that module's.
"""
from __future__ import annotations

import pandas as pd

from orleans_gov.base import vocabulaire
from orleans_gov.restitution.en_bref import Message, en_bref, texte_reel
from orleans_gov.restitution.scenarios.tableaux import tableau_comparaison_transpose
from orleans_gov.restitution.textes import dans_phrase
from orleans_gov.scenarios import synthese_comparaison

__all__ = ["SECTION_COMPARAISON_03", "bref_scenarios", "messages_scenarios"]

SECTION_COMPARAISON_03 = "3. Comparaison des scénarios"


def messages_scenarios(comparaison: pd.DataFrame, reference: str) -> list[Message]:
    """Up to five messages of document 03 from the comparison table it displays (``comparaison`` =
    :func:`~orleans_gov.restitution.scenarios.tableau_comparaison_transpose`: indicators in rows, scenarios in
    columns, cells already written in French); ``reference``: the name of the scenario without action."""
    lignes = {i.split(" — ")[0] + " — " + i.split(" — ")[1].split(" (")[0]: i for i in comparaison.index}

    def cell(debut: str, sc: str) -> str:
        return str(comparaison.loc[lignes[debut], sc])

    en_bloc = f"{vocabulaire.libelle('epargne_nette_cumulee')} — bloc"
    cap_bloc = f"{vocabulaire.libelle('capacite_desendettement')} — bloc, fin d'horizon"
    cif = f"{vocabulaire.libelle('cif')} — fin d'horizon"
    out: list[Message] = []
    if reference in comparaison.columns and en_bloc in lignes and cap_bloc in lignes:
        out.append(Message(
            f"**Sans décision nouvelle (« {reference} »), l'{dans_phrase('epargne_nette_cumulee')} du bloc est de "
            f"{cell(en_bloc, reference)}** et sa {dans_phrase('capacite_desendettement')} atteint "
            f"{cell(cap_bloc, reference)} en fin de mandat.", SECTION_COMPARAISON_03, comparaison))
    for sc in [c for c in comparaison.columns if c != reference][:4]:
        if en_bloc in lignes and cif in lignes:
            out.append(Message(
                f"**« {sc} » : {dans_phrase('epargne_nette_cumulee')} du bloc de {cell(en_bloc, sc)}** (contre "
                f"{cell(en_bloc, reference)} sans action) ; {dans_phrase('cif')} de {cell(cif, sc)} en fin de mandat.",
                SECTION_COMPARAISON_03, comparaison))
    return out


def bref_scenarios(ctx, dossier=None):
    """« En bref » of document 03 (``ctx``: :func:`~orleans_gov.restitution.chargement_scenarios.contexte_scenarios`)."""
    comp = tableau_comparaison_transpose(synthese_comparaison(list(ctx.resultats.values())))
    return en_bref(messages_scenarios(comp, ctx.reference.scenario.nom), reel=texte_reel(dossier))
