"""A terminal chat with the Official Account: every line goes through the real webhook."""
import time

import click
from flask import Flask

from bot.webhook import simulate
from content.texts import lookup, replies


def say(key: str, **values) -> str:
    return lookup("cli.toml", f"chat.{key}", **values)


class TerminalChat:
    def __init__(self, app: Flask, openid: str, mode: str = "plain"):
        config = app.config
        self.client = app.test_client()
        self.openid = openid
        self.base_url = config["WECHAT_API_BASE_URL"]
        self.sender = simulate.WeChatSender(
            config["WECHAT_TOKEN"], config["WECHAT_APP_ID"], config["WECHAT_AES_KEY"], mode)

    def run(self) -> None:
        click.echo(say("help", keys=" ".join(replies()["menu"])))
        self.show(self.send(simulate.event_xml(self.openid, "subscribe")))
        while True:
            try:
                line = input(say("prompt")).strip()
            except (EOFError, KeyboardInterrupt):
                break
            if line in (say("commands.quit"), "/quit", "/exit"):
                break
            if line:
                shown = len(self.late())
                reply = self.send(self.to_xml(line))
                self.show(reply)
                if reply is None and not line.startswith("/"):
                    self.show_late(shown)

    def to_xml(self, line: str) -> str:
        command, _, rest = line.partition(" ")
        if command == say("commands.follow"):
            return simulate.event_xml(self.openid, "subscribe")
        if command == say("commands.unfollow"):
            return simulate.event_xml(self.openid, "unsubscribe")
        if command == say("commands.menu"):
            return simulate.event_xml(self.openid, "CLICK", rest.strip())
        if command == say("commands.voice"):
            return simulate.voice_xml(self.openid, rest.strip())
        return simulate.text_xml(self.openid, line)

    def send(self, xml: str) -> str | None:
        query, body = self.sender.prepare(xml)
        response = self.client.post(f"/wechat?{query}", data=body,
                                    content_type="application/xml")
        if response.status_code != 200:
            return say("webhook_error", status=response.status_code, body=response.get_data(as_text=True))
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
                    click.echo(say("late_reply") + text + "\n")
                return
            time.sleep(0.5)

    @staticmethod
    def show(reply: str | None) -> None:
        click.echo(say("reply") + (reply if reply else say("no_reply")) + "\n")
