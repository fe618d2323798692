require("fs").mkdirSync("generated", { recursive: true });
