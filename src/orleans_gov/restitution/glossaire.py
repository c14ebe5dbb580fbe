"""The glossary printed in every deliverable (issue 14): each term with its vocabulary label, a short definition
for an élu and its legal (or official) reference. Labels come from :mod:`orleans_gov.base.vocabulaire` only."""
from __future__ import annotations

import pandas as pd

from orleans_gov.base import vocabulaire
from orleans_gov.restitution.fragments import Html
from orleans_gov.restitution.tableaux import tableau

GLOSSAIRE: dict[str, tuple[str, str]] = {
    # vocabulary term: (definition for the reader, legal or official reference)
    "caf": ("Excédent des recettes réelles de fonctionnement sur les dépenses réelles de fonctionnement (intérêts de "
            "la dette compris) : ce que le fonctionnement dégage pour rembourser la dette et investir.",
            "Instruction budgétaire et comptable M14 ; comptes individuels des collectivités (DGFiP)"),
    "epargne_brute": ("Synonyme de la CAF brute dans ce document.",
                      "Comptes individuels des collectivités (DGFiP), « capacité d'autofinancement »"),
    "epargne_gestion": ("Épargne brute avant intérêts de la dette : ce que dégage la gestion courante.",
                        "Comptes individuels des collectivités (DGFiP), « excédent brut de fonctionnement » ; "
                        "pas de définition législative"),
    "epargne_nette": ("Épargne brute diminuée du remboursement en capital de la dette ; négative, elle signale que "
                      "l'annuité n'est plus couverte par les ressources propres.",
                      "Art. L.1612-4 CGCT (équilibre réel : remboursement du capital couvert par les ressources "
                      "propres)"),
    "taux_epargne_brute": ("Épargne brute rapportée aux recettes réelles de fonctionnement.",
                           "Comptes individuels des collectivités (DGFiP)"),
    "capacite_desendettement": ("Nombre d'années d'épargne brute nécessaires pour rembourser toute la dette ; "
                                "repères : moins de 8 ans satisfaisant, 8 à 12 ans vigilance, plus de 12 ans alerte.",
                                "Indicateur d'analyse financière ; plafonds de référence fixés ensuite par l'art. 29 "
                                "de la loi n° 2018-32 du 22 janvier 2018 de programmation des finances publiques"),
    "ratios_legaux": ("Onze ratios que les communes de 3 500 habitants et plus publient avec leur budget et leur "
                      "compte administratif.", ""),
    "cif": ("Part de la fiscalité du territoire levée par l'agglomération, nette de ce qu'elle reverse aux "
            "communes ; il entre dans le calcul de la dotation d'intercommunalité.", ""),
    "dotation_intercommunalite": ("Part de la DGF versée à l'agglomération, fonction de sa population, de son "
                                  "potentiel fiscal et de son CIF.", ""),
    "dgf": ("Principale dotation de fonctionnement versée par l'État aux collectivités.", "Art. L.2334-1 CGCT"),
    "attribution_compensation": ("Versement annuel de l'agglomération à chaque commune (ou de la commune à "
                                 "l'agglomération quand il est négatif) qui neutralise les transferts de fiscalité "
                                 "et de charges.", ""),
    "clect": ("Commission des communes et de l'agglomération qui évalue le coût des compétences transférées ; son "
              "rapport fonde la révision des attributions de compensation.", ""),
    "dsc": ("Versement facultatif de l'agglomération aux communes, réparti selon des critères de solidarité "
            "(population, potentiel financier, revenu).", ""),
    "fpic": ("Fonds de péréquation horizontale entre ensembles intercommunaux : le bloc communal y contribue ou en "
             "bénéficie selon son potentiel financier agrégé.", ""),
    "service_commun": ("Service partagé entre l'agglomération et des communes, hors compétences transférées ; son "
                       "coût peut être imputé sur les attributions de compensation.", ""),
    "pacte_financier": ("Accord entre l'agglomération et ses communes sur la fiscalité, les reversements (AC, DSC) "
                        "et la solidarité financière du territoire.", ""),
    "taux_integration": ("Part de l'agglomération dans la dépense du bloc communal pour une politique publique.",
                         "Définition de l'étude"),
}


def reference_legale(nom: str) -> str:
    """The reference printed for ``nom``: the glossary's own one, else the vocabulary's."""
    ref = GLOSSAIRE[nom][1] or vocabulaire.terme(nom).reference
    return ref[:1].upper() + ref[1:]


def tableau_glossaire(noms: list[str] | None = None) -> pd.DataFrame:
    """Term (vocabulary label), definition and reference, in the order of :data:`GLOSSAIRE`."""
    noms = list(GLOSSAIRE) if noms is None else noms
    t = pd.DataFrame({"Définition": [GLOSSAIRE[n][0] for n in noms],
                      "Référence": [reference_legale(n) for n in noms]},
                     index=pd.Index([vocabulaire.libelle(n) for n in noms], name="Terme"))
    return t


def glossaire(noms: list[str] | None = None) -> Html:
    """The glossary table, headed « Glossaire »."""
    return (Html('<h2 id="Glossaire">Glossaire</h2>', "Glossaire")
            + tableau(tableau_glossaire(noms), titre="Termes employés et leur référence", exemple=False,
                      source="CGCT et CGI dans leur rédaction en vigueur à l'année analysée ; DGFiP"))
