from bot.fake_wechat.server import main

main()
