"""What the citizen is told, in Thai and English, for each kind of message the workflow asks for.
Rendered when the message is projected into the outbox, from which the chat channels deliver it."""

from __future__ import annotations

from workflows.contracts import CaseEventRecord, CitizenMessage, QuestionEventRecord
from workflows.domain.transitions import STATUS_LABELS


def render(message: CitizenMessage, record: CaseEventRecord) -> tuple[str, str]:
    p, number = message.params, record.tracking_number
    status_th, status_en = STATUS_LABELS.get(p.get("status", record.state.status), ("", ""))
    kind = message.kind
    if kind == "acknowledgement":
        return (
            f"ศูนย์ดำรงธรรมได้รับเรื่องของท่านแล้ว เลขที่เรื่อง {number} ท่านจะได้รับแจ้งผลหรือความคืบหน้าภายใน 15 วัน",
            f"The Damrongdham Center has received your complaint, tracking number {number}. "
            f"You will hear the result or its progress within 15 days.",
        )
    if kind == "status":
        return (f"เรื่อง {number}: {status_th}", f"Complaint {number}: {status_en}")
    if kind == "progress":
        return (
            f"เรื่อง {number} มีความคืบหน้า: {p.get('note', '')}",
            f"Progress on complaint {number}: {p.get('note', '')}",
        )
    if kind == "progress_notice":
        return (
            f"เรื่อง {number} อยู่ระหว่างดำเนินการ ({status_th}) ครบ 15 วันแล้ว เรื่องของท่านได้รับการติดตามเร่งรัดไปยังผู้บังคับบัญชา",
            f"Complaint {number} is still being handled ({status_en}). Fifteen days have passed, "
            f"so it has been escalated for follow-up.",
        )
    if kind == "info_request":
        return (
            f"เจ้าหน้าที่ขอข้อมูลเพิ่มเติมสำหรับเรื่อง {number}: {p.get('question', '')}",
            f"An officer needs more information about complaint {number}: {p.get('question', '')}",
        )
    if kind == "result":
        return (
            f"เรื่อง {number} ดำเนินการแล้ว: {p.get('result', '')} ท่านประเมินผลหรือโต้แย้งได้ภายใน 7 วัน",
            f"Complaint {number} has been resolved: {p.get('result', '')} "
            f"You can rate the result or dispute it within 7 days.",
        )
    if kind == "rejected":
        return (
            f"ศูนย์ดำรงธรรมไม่อาจรับเรื่อง {number} ได้ เหตุผล: {p.get('reason', '')}",
            f"Complaint {number} could not be accepted. Reason: {p.get('reason', '')}",
        )
    if kind == "reply":
        return (
            f"ข้อความจากเจ้าหน้าที่ (เรื่อง {number}): {p.get('text', '')}",
            f"Message from an officer (complaint {number}): {p.get('text', '')}",
        )
    return (f"เรื่อง {number}: {status_th}", f"Complaint {number}: {status_en}")


def render_answer(record: QuestionEventRecord) -> tuple[str, str]:
    """The officer's answer to a question the citizen left, quoting the question so it reads alone."""
    asked = record.question.text.strip()
    if len(asked) > 120:
        asked = asked[:117] + "..."
    answer = record.view.answer or ""
    return (
        f"คำตอบจากเจ้าหน้าที่ศูนย์ดำรงธรรม\nคำถาม: {asked}\nคำตอบ: {answer}",
        f"An answer from a Damrongdham Center officer\nYour question: {asked}\nAnswer: {answer}",
    )
