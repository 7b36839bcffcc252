print("backplan")
