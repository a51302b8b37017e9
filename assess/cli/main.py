def main():
    from importlib.resources import files
    print(files("tc8.data").joinpath("criteria/probe.yaml").read_text())
