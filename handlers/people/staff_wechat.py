"""A staff member binds their own WeChat in the chat: "工作人员绑定", then the console's code.

Push previews go only to the WeChat bound this way (handlers/staff/accounts.py), so a preview
cannot be sent to whoever a form names. One wrong code ends the dialog: guessing costs two
messages a try, within the chat's per-user limit.
"""
from content.texts import replies, text
from handlers import dialogs
from handlers.dialogs import DialogState
from handlers.router import Message, router
from handlers.staff import accounts


def prompt(state: DialogState, openid: str) -> str:
    return text("staff_wechat.ask")


def take(state: DialogState, message: Message) -> str:
    dialogs.clear(message.openid)
    staff = accounts.bind_wechat(message.text, message.openid)
    if staff is None:
        return text("staff_wechat.wrong")
    return text("staff_wechat.bound", name=staff.display_name)


KEYWORDS = replies()["staff_wechat"]["keywords"]
BINDING = dialogs.register(dialogs.Dialog(
    name="staff_wechat", title=text("staff_wechat.title"), start_word=KEYWORDS[0], take=take, prompt=prompt))


@router.on_dialog("staff_wechat")
def continue_binding(message: Message) -> str:
    return dialogs.continue_dialog(BINDING, message)


@router.on_keyword(*KEYWORDS)
@dialogs.starter
def start_binding(message: Message) -> str:
    return dialogs.start(message.openid, BINDING, "code")
