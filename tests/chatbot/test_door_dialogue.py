"""Who answers a question left in the chat, decided by the dialogue alone (real read model, classifier
and FAQ): at a center's door, that center; without a door, the center the chat last asked about; with
nothing known, none (the chat service then takes the area of the chat's last complaint, else the
ministry's center answers: tests/chatbot/test_center_door_line.py). A door survives "start over" and the menu; another door replaces it; a typed
`center=` code that names no open center leaves the chat as it was."""

from __future__ import annotations

from chatbot.messages import LeaveQuestion
from tests.chatbot.test_dialogue import Talk, senses  # noqa: F401 (the module's fixture)

QUESTION = "อยากทราบขั้นตอนการขอหนังสือรับรองการทำประโยชน์ในที่ดินค่ะ"


def leave(talk: Talk) -> LeaveQuestion:
    talk(action="menu:leave")
    turn = talk(QUESTION)
    (effect,) = [e for e in turn.effects if isinstance(e, LeaveQuestion)]
    return effect


def test_at_a_door_the_doors_center_answers_even_after_start_over(senses):  # noqa: F811
    talk = Talk(senses)
    talk(action="door:D9205")
    assert talk.state["door"] == "D9205" and "ศูนย์ดำรงธรรมอำเภอสิเกา" in talk.text
    talk(action="restart")
    assert leave(talk).center == "D9205"
    talk.state["step"] = "menu"
    talk(text="center=p92")  # another door, typed from a LINE link; the code's case forgiven
    assert talk.state["door"] == "P92" and leave(talk).center == "P92"
    talk.state["step"] = "menu"
    talk(text="center=X999")
    assert talk.state["door"] == "P92" and "X999" in talk.text


def test_a_center_asked_about_answers_and_with_nothing_known_the_ministry(senses):  # noqa: F811
    talk = Talk(senses)
    talk("เบอร์โทรศัพท์ศูนย์ดำรงธรรมจังหวัดกระบี่")
    assert talk.state["center"] == "P81"
    assert leave(talk).center == "P81"
    assert leave(Talk(senses)).center is None
