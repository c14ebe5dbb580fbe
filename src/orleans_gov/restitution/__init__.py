"""Everything a reader sees: French numbers, tables, sentences, charts, maps, fiches and the loaders of the notebooks.

The house style is exported here, so that a notebook writes ``from orleans_gov import restitution as rt`` then
``rt.tableau(...)``, ``rt.fmt_pct(...)``, ``rt.legende_figure(...)``:

- :mod:`.formats` — French numbers (``fmt_nombre``, ``fmt_pct``, ``fmt_keur``, ``fmt_meur``, ``fmt_eur_hab``…) and
  the format of each vocabulary unit;
- :mod:`.tableaux` — HTML tables (``tableau``, ``tableau_termes`` with vocabulary headers, ``cote_a_cote``, ``Html``);
- :mod:`.bandeau` — the sample banner and the source lines;
- :mod:`.graphiques` — house chart style, French axis formatters, figure source lines;
- :mod:`.cartes` — maps of the communes.

Per deliverable: :mod:`.chargement` (one loader per notebook), :mod:`.finances`, :mod:`.finances_graphiques`,
:mod:`.politiques`, :mod:`.politiques_graphiques`, :mod:`.organisations`, :mod:`.organisations_graphiques`,
:mod:`.scenarios` (tables, charts and sentences of the scenario notebook), :mod:`.fiche` (the entity fiche).
"""
from __future__ import annotations

from orleans_gov.base.provenance import TEXTE_EXEMPLE
from orleans_gov.restitution.bandeau import (CLASSE_BANDEAU, COULEUR_EXEMPLE, bandeau_exemple, est_exemple,
                                             html_bandeau_exemple, html_note_source, note_source, texte_source)
from orleans_gov.restitution.cartes import carte, carte_situation
from orleans_gov.restitution.formats import (ESP_INSECABLE, ESP_MILLIERS, ND, fmt_annee, fmt_eur_hab, fmt_indice,
                                             fmt_keur, fmt_meur, fmt_nombre, fmt_pct, fmt_unite, format_unite)
from orleans_gov.restitution.fragments import Html, afficher, markdown
from orleans_gov.restitution.graphiques import (CMAP_DIVERGENTE, CMAP_SEQUENTIELLE, COULEUR_ACCENT, COULEUR_ND,
                                                COULEUR_PRINCIPALE, PALETTE, annees_en_abscisse, appliquer_style,
                                                formateur_axe, grille_verticale, legende_enveloppee, legende_figure,
                                                unite_axe)
from orleans_gov.restitution.tableaux import cote_a_cote, html_figure, tableau, tableau_termes, termes_en_colonnes

__all__ = [
    "ND", "ESP_MILLIERS", "ESP_INSECABLE", "TEXTE_EXEMPLE", "CLASSE_BANDEAU", "PALETTE", "COULEUR_PRINCIPALE",
    "COULEUR_ACCENT", "COULEUR_ND", "COULEUR_EXEMPLE", "CMAP_SEQUENTIELLE", "CMAP_DIVERGENTE", "Html",
    "fmt_nombre", "fmt_pct", "fmt_keur", "fmt_meur", "fmt_eur_hab", "fmt_indice", "fmt_annee", "fmt_unite",
    "format_unite", "est_exemple", "tableau", "tableau_termes", "termes_en_colonnes", "cote_a_cote", "html_figure",
    "bandeau_exemple", "note_source", "html_bandeau_exemple", "html_note_source", "texte_source", "afficher",
    "markdown", "appliquer_style", "formateur_axe", "legende_figure", "legende_enveloppee", "grille_verticale",
    "annees_en_abscisse", "unite_axe", "carte", "carte_situation",
]
