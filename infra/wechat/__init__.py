"""The outbound side of WeChat: API clients, its error codes, one send path, at-most-once notices.

Capabilities call these with plain values and get plain results or a SendError; nothing above
this package sees wechatpy.
"""
