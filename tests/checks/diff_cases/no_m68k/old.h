struct port { int id; };
