"""/wechat: the Official Account's webhook (views), WeChat's wire (inbound), retries, late answers."""
