"""A terminal chat with the Official Account: every line goes through the real webhook."""
import time

import click
from flask import Flask

from bot.webhook import simulate
from content.texts import replies

COMMANDS = """可用命令：/关注  /取消关注  /菜单 KEY  /语音 文字  /退出
菜单 KEY：{keys}
其他内容直接输入，就像在微信里发消息。"""


class TerminalChat:
    def __init__(self, app: Flask, openid: str, mode: str = "plain"):
        config = app.config
        self.client = app.test_client()
        self.openid = openid
        self.base_url = config["WECHAT_API_BASE_URL"]
        self.sender = simulate.WeChatSender(
            config["WECHAT_TOKEN"], config["WECHAT_APP_ID"], config["WECHAT_AES_KEY"], mode)

    def run(self) -> None:
        click.echo(COMMANDS.format(keys=" ".join(replies()["menu"])))
        self.show(self.send(simulate.event_xml(self.openid, "subscribe")))
        while True:
            try:
                line = input("我> ").strip()
            except (EOFError, KeyboardInterrupt):
                break
            if line in ("/退出", "/quit", "/exit"):
                break
            if line:
                shown = len(self.late())
                reply = self.send(self.to_xml(line))
                self.show(reply)
                if reply is None and not line.startswith("/"):
                    self.show_late(shown)

    def to_xml(self, line: str) -> str:
        command, _, rest = line.partition(" ")
        if command == "/关注":
            return simulate.event_xml(self.openid, "subscribe")
        if command == "/取消关注":
            return simulate.event_xml(self.openid, "unsubscribe")
        if command == "/菜单":
            return simulate.event_xml(self.openid, "CLICK", rest.strip())
        if command == "/语音":
            return simulate.voice_xml(self.openid, rest.strip())
        return simulate.text_xml(self.openid, line)

    def send(self, xml: str) -> str | None:
        query, body = self.sender.prepare(xml)
        response = self.client.post(f"/wechat?{query}", data=body,
                                    content_type="application/xml")
        if response.status_code != 200:
            return f"（webhook 返回 {response.status_code}：{response.get_data(as_text=True)}）"
        return simulate.reply_content(self.sender.read_reply(response.data))

    def late(self) -> list[str]:
        return simulate.late_answers(self.base_url, self.openid)

    def show_late(self, shown: int, wait: float = 15.0) -> None:
        """An answer past the reply budget arrives a moment later as a customer-service message."""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            texts = self.late()
            if len(texts) > shown:
                for text in texts[shown:]:
                    click.echo("无废长春（稍后）> " + text + "\n")
                return
            time.sleep(0.5)

    @staticmethod
    def show(reply: str | None) -> None:
        click.echo("无废长春> " + (reply if reply else "（没有回复）") + "\n")
