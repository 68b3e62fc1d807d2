"""The dialogue as plain data: every step by name with its prompt and its handler, and what the chat
does with each outcome of an effect. The engine (`chatbot.dialogue`) imports this table; the flows
import only `chatbot.turn` (and each other, downwards), so nothing imports the engine back."""

from __future__ import annotations

from collections.abc import Callable

from chatbot import flows_contact as contact
from chatbot import flows_conversation as conversation
from chatbot import flows_facts as facts
from chatbot import flows_filing as filing
from chatbot import flows_menu as menu
from chatbot import flows_place as place
from chatbot import flows_questions as questions
from chatbot import flows_tracking as tracking
from chatbot.messages import Answered, CaseShown, Done, FeedbackNoted, Filed, MyComplaints, Outcome, QuestionLeft
from chatbot.state import MENU
from chatbot.turn import Ctx, Step

STEPS: dict[str, Step] = {
    MENU: Step(menu.menu_prompt, menu.menu_handle),
    # filing a complaint
    "consent": Step(filing.consent_prompt, filing.consent_handle),
    "problem": Step(filing.problem_prompt, filing.problem_handle),
    "photos": Step(filing.photos_prompt, filing.photos_handle),
    "province": Step(filing.province_prompt, filing.province_handle),
    "district": Step(filing.district_prompt, filing.district_handle),
    "subdistrict": Step(place.subdistrict_prompt, place.subdistrict_handle),
    "suggestion": Step(filing.suggestion_prompt, filing.suggestion_handle),
    "office_search": Step(filing.office_search_prompt, filing.office_search_handle),
    "contact": Step(contact.contact_prompt, contact.contact_handle),
    "name": Step(contact.name_prompt, contact.name_handle),
    "phone": Step(contact.phone_prompt, contact.phone_handle),
    "national_id": Step(contact.national_id_prompt, contact.national_id_handle),
    "confirm": Step(contact.confirm_prompt, contact.confirm_handle),
    # tracking
    "track_number": Step(tracking.track_number_prompt, tracking.track_number_handle),
    "track_pin": Step(tracking.track_pin_prompt, tracking.track_pin_handle),
    "case_view": Step(tracking.case_view_prompt, tracking.case_view_handle),
    "mine": Step(tracking.mine_prompt, tracking.mine_handle),
    "add_info": Step(tracking.add_info_prompt, tracking.add_info_handle),
    "withdraw_confirm": Step(tracking.withdraw_prompt, tracking.withdraw_handle),
    # questions
    "ask": Step(questions.ask_prompt, questions.ask_handle),
    "faq_feedback": Step(questions.ask_feedback, questions.faq_feedback_handle),
    "leave_offer": Step(questions.leave_offer_prompt, questions.leave_offer_handle),
    "leave_question": Step(questions.leave_question_prompt, questions.leave_question_handle),
    "center_which": Step(facts.center_which_prompt, facts.center_which_handle),
    # the conversation on a filed case: adding what the citizen sends, disputing a result
    "add_offer": Step(conversation.add_offer_prompt, conversation.add_offer_handle),
    "dispute_reason": Step(conversation.dispute_reason_prompt, conversation.dispute_reason_handle),
}

# What the chat says when the service comes back with an effect's outcome (Refused: the engine's own).
SETTLE: dict[type, Callable[[Ctx, Outcome], None]] = {
    Filed: contact.filed,
    CaseShown: tracking.shown,
    MyComplaints: tracking.my_complaints,
    Done: tracking.done,
    QuestionLeft: questions.question_left,
    FeedbackNoted: questions.feedback_noted,
    Answered: conversation.answered,
}

# Where each menu action starts.
FLOW_START = menu.FLOW_START
