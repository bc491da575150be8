print("oauthtop")
