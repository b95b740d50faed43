"""政务信息资源目录: information resources, their items, classification, versions, search."""
