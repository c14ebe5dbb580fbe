"""« En bref »: the five messages that open each deliverable (issue 14), each with its figure and a link to the
section whose table shows it, computed from the tables the document displays (never written by hand).

Each message keeps the table it summarises (:attr:`Message.tableau`, the frame given to
:func:`~orleans_gov.restitution.tableaux.tableau_termes` further down the document) so that a test checks that
every number of the sentence is printed in that table. Figures are written with :func:`fmt_unite` in the unit of
their vocabulary term, i.e. exactly as the table prints them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

import pandas as pd

from orleans_gov.base import vocabulaire
from orleans_gov.analyse.finances import seuils_capacite
from orleans_gov.base.territoire import SIREN_AGGLO
from orleans_gov.restitution import finances, organisations, politiques
from orleans_gov.restitution.bandeau import texte_donnees_reelles
from orleans_gov.restitution.chargement import donnees_reelles
from orleans_gov.restitution.formats import fmt_nombre, fmt_unite
from orleans_gov.restitution.fragments import markdown
from orleans_gov.restitution.textes import compte, dans_phrase, liste, majuscule, nom


@dataclass
class Message:
    """One message of « En bref »: the sentence (markdown), the title of the section where its figures are shown,
    the table that section displays (vocabulary columns) and the counts of rows the sentence states (``comptes``:
    each is the number of rows of ``tableau`` it describes, checked by the tests)."""

    texte: str
    section: str
    tableau: pd.DataFrame | None = None
    comptes: dict[str, int] = field(default_factory=dict)


def ancre(titre: str) -> str:
    """The ``id`` nbconvert gives a markdown heading (its text, spaces replaced by « - »), percent-encoded for a
    link: ``ancre("3. Le bloc communal consolidé")`` → ``"#3.-Le-bloc-communal-consolid%C3%A9"``."""
    return "#" + quote(titre.strip().replace(" ", "-"), safe="-.'")


def avec_annee(libelle: str, an) -> str:
    """« Épargne brute 2013 », « Encours de la dette au 31/12/2013 »."""
    return f"{libelle}/{an}" if libelle.endswith("31/12") else f"{libelle} {an}"


def fin_phrase(texte: str) -> str:
    """``texte`` ended by one full stop (« 936 €/hab. » is not given a second one)."""
    return texte if texte.endswith(".") else texte + "."


def valeur(terme: str, x, decimales: int | None = None) -> str:
    """``x`` in the unit of vocabulary term ``terme``, as the tables print it."""
    return fmt_unite(x, vocabulaire.terme(terme).unite, decimales)


def en_bref(messages: list[Message], titre: str = "En bref", intro: str = "", reel: str = ""):
    """The « En bref » block: a heading, an optional introductory sentence, the (at most five) numbered messages,
    each ending with a link to its section, then what is real (``reel``, a quoted paragraph)."""
    lignes = [f"## {titre}", ""] + ([intro, ""] if intro else [])
    for i, m in enumerate(messages[:5], 1):
        section = m.section.split(". ", 1)[-1] if m.section[:1].isdigit() else m.section
        lignes.append(f"{i}. {m.texte} *→ [{section}]({ancre(m.section)})*")
    if reel:
        lignes += ["", f"> {reel}"]
    return markdown("\n".join(lignes))


def texte_reel(dossier) -> str:
    """The banner « Ce qui est réel », computed from the data folder's real files."""
    return texte_donnees_reelles(donnees_reelles(dossier))


# ------------------------------------------------------------------------------------------------
# 01 Diagnostic
# ------------------------------------------------------------------------------------------------
SECTION_SITUATION_01 = "2. La situation financière des communes et de l'agglomération"
SECTION_BLOC_01 = "3. Le bloc communal consolidé"
SECTION_POLITIQUES_01 = "4. La dépense par politique publique"
SECTION_CENTRALITE_01 = "Charges de centralité"


def _communes(t: pd.DataFrame) -> pd.DataFrame:
    return t.drop(index=[nom(SIREN_AGGLO)], errors="ignore")


def messages_diagnostic(indicateurs: pd.DataFrame, bloc: pd.DataFrame, integration: pd.DataFrame,
                        centralite: pd.DataFrame, an: int) -> list[Message]:
    """Five messages of document 01 from the tables it displays: ``indicateurs`` =
    :func:`~orleans_gov.restitution.finances.tableau_indicateurs`, ``bloc`` =
    :func:`~orleans_gov.restitution.finances.tableau_bloc`, ``integration`` =
    :func:`~orleans_gov.restitution.politiques.tableau_integration`, ``centralite`` =
    :func:`~orleans_gov.restitution.politiques.tableau_centralite`."""
    out: list[Message] = []
    lib_rrf, lib_eb = vocabulaire.libelle("rrf"), vocabulaire.libelle("epargne_brute")
    if lib_rrf in bloc.index:
        r = bloc.loc[lib_rrf]
        out.append(Message(
            f"**Le bloc communal a perçu {valeur('bloc_keur', r['bloc_keur'])} de recettes réelles de fonctionnement "
            f"en {an}** ({valeur('bloc_eur_hab', r['bloc_eur_hab'])}), dont "
            f"{valeur('part_agglomeration_pct', r['part_agglomeration_pct'])} par l'agglomération.",
            SECTION_BLOC_01, bloc))
    c = _communes(indicateurs)
    bas, haut = seuils_capacite(an)
    cap = c["capacite_desendettement"]
    alerte = cap[cap > haut].sort_values(ascending=False)
    vigil = cap[(cap >= bas) & (cap <= haut)]
    detail = liste([f"{n} ({valeur('capacite_desendettement', v)})" for n, v in alerte.items()])
    out.append(Message(
        majuscule(f"**{compte(len(alerte), 'commune', ('dépasse', 'dépassent'))} {fmt_nombre(haut)} ans de "
                  f"{dans_phrase('capacite_desendettement')}** (seuil d'alerte)")
        + (f" : {detail}" if len(alerte) else "")
        + f" ; {compte(len(vigil), 'commune', ('est', 'sont'))} en zone de vigilance ({fmt_nombre(bas)} à "
        f"{fmt_nombre(haut)} ans).", SECTION_SITUATION_01, indicateurs,
        {"alerte": len(alerte), "vigilance": len(vigil)}))
    taux = c["taux_epargne_brute"].dropna()
    if len(taux):
        out.append(Message(
            f"**Le {dans_phrase('taux_epargne_brute')} des communes va de {valeur('taux_epargne_brute', taux.min())} "
            f"({taux.idxmin()}) à {valeur('taux_epargne_brute', taux.max())} ({taux.idxmax()}).**",
            SECTION_SITUATION_01, indicateurs))
    ti = integration["taux_integration"].dropna()
    if len(ti):
        out.append(Message(
            f"**L'agglomération porte {valeur('taux_integration', ti.max())} de la dépense du bloc en « {ti.idxmax()} »**"
            f", sa politique la plus intégrée, contre {valeur('taux_integration', ti.min())} en « {ti.idxmin()} ».",
            SECTION_POLITIQUES_01, integration))
    sc = centralite["surcout_keur"].dropna()
    if len(sc):
        p = sc.idxmax()
        r = centralite.loc[p]
        out.append(Message(
            f"**Orléans dépense {valeur('centre_eur_hab', r['centre_eur_hab'])} en « {p} »** contre "
            f"{valeur('moyenne_ponderee_autres_eur_hab', r['moyenne_ponderee_autres_eur_hab'])} dans le reste du "
            f"territoire : la plus forte charge de centralité, de l'ordre de {valeur('surcout_keur', r['surcout_keur'])}.",
            SECTION_CENTRALITE_01, centralite))
    return out


# ------------------------------------------------------------------------------------------------
# 02 Organisations
# ------------------------------------------------------------------------------------------------
SECTION_EFFECTIFS_02 = "1. Effectifs et coûts de chaque entité"
SECTION_SUPPORT_02 = "3. Les fonctions support et leurs doublons"
SECTION_POLICE_02 = "5. La police municipale de 2013 à 2023 (données réelles)"


def messages_organisations(personnel: pd.DataFrame, duplications: pd.DataFrame, police: pd.DataFrame,
                           an: int) -> list[Message]:
    """Five messages of document 02 from the tables it displays: ``personnel`` =
    :func:`~orleans_gov.restitution.organisations.tableau_personnel`, ``duplications`` =
    :func:`~orleans_gov.restitution.organisations.tableau_duplications`, ``police`` = the first element of
    :func:`~orleans_gov.restitution.organisations.tableau_police` (columns already headed, last year last)."""
    out: list[Message] = []
    agglo = nom(SIREN_AGGLO)
    c = _communes(personnel)
    if "Orléans" in personnel.index and agglo in personnel.index:
        o, a = personnel.loc["Orléans"], personnel.loc[agglo]
        out.append(Message(
            f"**Orléans emploie {valeur('etp', o['etp'])} ETP et l'agglomération {valeur('etp', a['etp'])} ETP en "
            f"{an}**, soit {valeur('etp_pour_1000_hab', o['etp_pour_1000_hab'])} et "
            f"{valeur('etp_pour_1000_hab', a['etp_pour_1000_hab'])} ETP pour 1 000 habitants.",
            SECTION_EFFECTIFS_02, personnel))
    taux = c["etp_pour_1000_hab"].dropna()
    if len(taux):
        out.append(Message(
            f"**Le taux d'administration des communes va de {valeur('etp_pour_1000_hab', taux.min())} "
            f"({taux.idxmin()}) à {valeur('etp_pour_1000_hab', taux.max())} ETP pour 1 000 habitants "
            f"({taux.idxmax()}).**", SECTION_EFFECTIFS_02, personnel))
    cout = personnel["cout_par_etp"].dropna()
    if len(cout):
        out.append(Message(
            f"**Le coût moyen d'un ETP va de {valeur('cout_par_etp', cout.min())} ({cout.idxmin()}) à "
            f"{valeur('cout_par_etp', cout.max())} ({cout.idxmax()})**, charges de personnel déclarées rapportées "
            f"aux ETP.", SECTION_EFFECTIFS_02, personnel))
    if len(duplications):
        partout = duplications[(duplications["communes_avec_fonction"] == 22)
                               & (duplications["agglomeration_avec_fonction"] == "oui")]
        top = duplications["etp_total"].idxmax()
        out.append(Message(
            majuscule(f"**{compte(len(partout), 'fonction support', ('existe', 'existent'))} dans les 22 communes "
                      f"et à l'agglomération** (sur {len(duplications)}) ; la plus lourde, « {top} », "
                      f"occupe {valeur('etp_total', duplications.loc[top, 'etp_total'])} ETP dans le bloc."),
            SECTION_SUPPORT_02, duplications, {"partout": len(partout), "fonctions": len(duplications)}))
    if len(police.columns):
        col = police.columns[0] if len(police.columns) == 1 else [c for c in police.columns
                                                                   if "pour 1 000" not in c][-1]
        s = police[col].dropna()
        if len(s):
            annee = "".join(ch for ch in col.split("(")[0] if ch.isdigit())[-4:]
            out.append(Message(
                f"**{s.idxmax()} compte {fmt_nombre(s.max())} agents de police municipale en {annee}** (données "
                f"réelles du ministère de l'Intérieur), le plus grand effectif des communes suivies.",
                SECTION_POLICE_02, police))
    return out


# ------------------------------------------------------------------------------------------------
# Fiche
# ------------------------------------------------------------------------------------------------
SECTION_IDENTITE_FICHE = "Identité et situation dans l'agglomération"
SECTION_FINANCES_FICHE = "Situation financière"


def messages_fiche(nom_entite: str, finances: pd.DataFrame, ratios: pd.DataFrame, an: int,
                   agglo: bool) -> list[Message]:
    """Five messages of a fiche from its two financial tables: ``finances`` =
    :func:`~orleans_gov.restitution.fiche.tableau_finances` (amounts, €/hab, strata mean, index) and ``ratios`` =
    :func:`~orleans_gov.restitution.fiche.tableau_ratios` (values already written)."""
    out: list[Message] = []
    f = finances

    def ligne(terme: str):
        lib = vocabulaire.libelle(terme)
        return f.loc[lib] if lib in f.index else None

    def strate(r) -> str:
        if agglo or r is None or pd.isna(r.get("moyenne_strate_eur_hab", float("nan"))):
            return ""
        return f" (moyenne de la strate : {valeur('moyenne_strate_eur_hab', r['moyenne_strate_eur_hab'])})"

    for terme in ("rrf", "drf", "epargne_brute", "encours_dette"):
        r = ligne(terme)
        if r is None:
            continue
        out.append(Message(
            f"**{avec_annee(vocabulaire.libelle(terme), an)} : {valeur('montant', r['montant'])}**, soit "
            + fin_phrase(f"{valeur('valeur_eur_hab', r['valeur_eur_hab'])}{strate(r)}"), SECTION_FINANCES_FICHE, f))
    lib_cap = vocabulaire.libelle("capacite_desendettement")
    if lib_cap in ratios.index:
        out.append(Message(
            f"**{lib_cap} : {ratios.loc[lib_cap, 'valeur']}** ({ratios.loc[lib_cap, 'definition_ratio']}).",
            SECTION_FINANCES_FICHE, ratios))
    return out[:5]


# ------------------------------------------------------------------------------------------------
# One call per document (the notebooks' « En bref » cell)
# ------------------------------------------------------------------------------------------------
def bref_diagnostic(ctx, dossier=None):
    """« En bref » of document 01 (``ctx``: :func:`~orleans_gov.restitution.chargement.contexte_diagnostic`)."""
    return en_bref(messages_diagnostic(
        finances.tableau_indicateurs(ctx.indicateurs, ctx.comparaison, ctx.annee), finances.tableau_bloc(ctx.bloc, ctx.annee),
        politiques.tableau_integration(ctx.depenses, ctx.annee, ctx.exemple_dep),
        politiques.tableau_centralite(ctx.centralite, ctx.exemple_dep), ctx.annee), reel=texte_reel(dossier))


def bref_organisations(ctx, dossier=None):
    """« En bref » of document 02 (``ctx``: :func:`~orleans_gov.restitution.chargement.contexte_organisations`)."""
    return en_bref(messages_organisations(
        organisations.tableau_personnel(ctx), organisations.tableau_duplications(organisations.duplications(ctx)),
        organisations.tableau_police(ctx.police)[0], ctx.annee), reel=texte_reel(dossier))
