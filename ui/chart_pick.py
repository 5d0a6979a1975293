"""A click on a chart that chooses for a widget: the choice is set once per click, after that
the widget is the user's again."""

from __future__ import annotations

from collections.abc import Collection

import streamlit as st


def click_sets_choice(key: str, clicked, choices: Collection) -> None:
    """Set the widget KEY's value to CLICKED when the click is new and one of CHOICES.

    Call before drawing the widget. A chart's selection persists from run to run, so only a
    click that changed since the last run sets the choice: the user can then choose otherwise.
    """
    seen = f"_chart_pick_{key}"
    if clicked != st.session_state.get(seen):
        st.session_state[seen] = clicked
        if clicked in choices:
            st.session_state[key] = clicked
