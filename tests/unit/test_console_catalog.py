"""Every word the console shows is in its catalogues: each message of its pages and code, and
each word the engine gives at run time (states, roles, kinds of work, actions, form fields,
grades, choices), translated in the Chinese catalogue and present in the English one."""

from lifecycle.console import catalog, i18n


def test_every_message_and_engine_word_is_translated_in_both_catalogues():
    for language in i18n.LANGUAGES:
        assert catalog.missing(language) == [], language


def test_the_catalogues_hold_no_message_the_console_no_longer_shows():
    wanted = set(catalog.wanted())
    for language in i18n.LANGUAGES:
        held = {(m.context, m.id) for m in catalog.read(language) if m.id}
        assert held <= wanted, sorted(held - wanted)[:5]


def test_a_page_word_reads_in_chinese_and_in_english():
    zh, en = i18n.translations("zh_CN"), i18n.translations("en")
    assert zh.gettext("To do") == "待办"
    assert zh.pgettext("state", "publicity") == "公示中"
    assert en.pgettext("action", "begin_review") == "begin review"
    assert zh.pgettext("action", "a_bureaus_own_action") == "a_bureaus_own_action"  # as it is
