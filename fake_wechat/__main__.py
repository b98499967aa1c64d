from fake_wechat.server import main

main()
